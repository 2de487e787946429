/* SPDX-License-Identifier: MIT */
/*
 * Traps from the cells: interrupts (handed on by gicv3.c), hypercalls, SMC
 * (PSCI; for non-root cells also over HVC #0), ICC_SGI1R_EL1 writes,
 * ACTLR_EL1 accesses and stage-2 data aborts. An abort in the distributor
 * (or, for a non-root cell, a redistributor) is emulated; one of the root in
 * the configuration page of a PCI device a cell owns is filtered (pci.c). Any
 * other stage-2 fault of a non-root cell, and any trap we do not handle, stops
 * that cell and marks it failed. Any other stage-2 fault of the root (an access
 * outside its memory, e.g. into the hypervisor) never reaches the memory; it is
 * logged on the hypervisor console and then:
 *  - from EL1 with a valid syndrome (single load/store): refused as
 *    read-as-zero / write-ignored, the kernel continues;
 *  - otherwise (user space, or no syndrome): a synchronous external abort
 *    is injected, so a process gets SIGBUS (a kernel access oopses).
 */
#include <asm/gicv3.h>
#include <asm/psci.h>
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <jailhouse/hypercall.h>

/* Register number 31 in an ISS: XZR, which reads 0 and ignores writes. */
#define REG_XZR 31
#define FSC_SYNC_EXT_ABORT 0x10
#define ISS_WNR (1u << 6)
#define ISS_ISV (1u << 24)
#define ISS_SRT(esr) (((esr) >> 16) & 0x1f)
#define ISS_SAS(esr) (((esr) >> 22) & 3)
#define ISS_SSE (1u << 21)
#define ISS_SF (1u << 15)

/* Exception types, as the vectors in entry.S number them. */
#define TRAP_SYNC 0
#define TRAP_IRQ 1
#define TRAP_FIQ 2
#define TRAP_SERROR 3

/* ESR_EL2.ISS of a trapped MSR/MRS (EC 0x18), ICC_SGI1R_EL1 and friends */
#define SYSREG_ISS(op0, op1, crn, crm, op2)                                    \
	((op0) << 20 | (op2) << 17 | (op1) << 14 | (crn) << 10 | (crm) << 1)
#define SYSREG_ISS_MASK SYSREG_ISS(3, 7, 15, 15, 7)
#define ISS_ICC_SGI1R SYSREG_ISS(3, 0, 12, 11, 5)
#define ISS_ICC_ASGI1R SYSREG_ISS(3, 0, 12, 11, 6)
#define ISS_ICC_SGI0R SYSREG_ISS(3, 0, 12, 11, 7)
#define ISS_ACTLR_EL1 SYSREG_ISS(3, 0, 1, 0, 1)
#define ISS_SYSREG_READ 1u
#define ISS_SYSREG_RT(esr) (((esr) >> 5) & 0x1f)

/* Enter the cell's EL1 exception vector with the given syndrome. */
static void inject_sync(u64 esr_el1, u64 far)
{
	u64 spsr = read_sysreg(spsr_el2);
	u64 vbar = read_sysreg(vbar_el1);
	u64 offset;

	switch (spsr & PSR_MODE_MASK) {
	case PSR_MODE_EL0t:
		offset = VBAR_LOWER_A64;
		break;
	case PSR_MODE_EL1t:
		offset = VBAR_CURRENT_SP0;
		break;
	default:
		offset = VBAR_CURRENT_SPX;
	}
	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far, far_el1);
	write_sysreg(read_sysreg(elr_el2), elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(vbar + offset, elr_el2);
	write_sysreg(PSR_DAIF | PSR_MODE_EL1h, spsr_el2);
}

static void skip_instruction(void)
{
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
}

/*
 * A single load or store with a valid syndrome to an emulated device: do
 * it on the real device if the filter allows it, as a load or store of the
 * same width would.
 */
static bool emulate_mmio(struct frame *f, u64 esr, u64 ipa)
{
	unsigned int size = 1u << ISS_SAS(esr), srt = ISS_SRT(esr);
	bool write = esr & ISS_WNR;
	struct per_cpu *pc = this_cpu();
	bool ok;
	u64 value = 0;

	if (!(esr & ISS_ISV))
		return false;
	if (write && srt != REG_XZR)
		value = size == 8 ? f->x[srt]
				  : f->x[srt] & ((1ULL << (size * 8)) - 1);
	if (gicd_is_mmio(ipa))
		ok = gicd_access(pc, ipa, size, write, &value);
	else if (pc->cell != &root_cell && gicr_is_mmio(ipa))
		ok = gicr_access(pc, ipa, size, write, &value);
	else if (pc->cell == &root_cell)
		ok = pci_root_config_access(pc, ipa, size, write, &value);
	else
		ok = false;
	if (!ok)
		return false;
	if (!write && srt != REG_XZR) {
		if ((esr & ISS_SSE) && size < 8 &&
		    (value & (1ULL << (size * 8 - 1))))
			value |= ~0ULL << (size * 8);
		if (!(esr & ISS_SF))
			value &= 0xffffffffULL;
		f->x[srt] = value;
	}
	skip_instruction();
	return true;
}

static void handle_abort(struct frame *f, u64 esr, unsigned int ec)
{
	u64 far = read_sysreg(far_el2);
	u64 ipa = (read_sysreg(hpfar_el2) >> HPFAR_FIPA_SHIFT)
			  << HV_PAGE_SHIFT |
		  (far & (HV_PAGE_SIZE - 1));
	u64 mode = read_sysreg(spsr_el2) & PSR_MODE_MASK;
	bool from_el0 = mode == PSR_MODE_EL0t;
	bool data = ec == ESR_EC_DABT_LOW;
	bool write = data && (esr & ISS_WNR);
	u64 iss = FSC_SYNC_EXT_ABORT | (write ? ISS_WNR : 0);
	unsigned int new_ec;
	bool emulate;

	if (data && !from_el0 && emulate_mmio(f, esr, ipa))
		return;
	if (this_cpu()->cell != &root_cell) {
		cell_refused(this_cpu(),
			     "stage-2 %s fault at IPA 0x%llx "
			     "(PC 0x%llx), access outside the cell",
			     data ? (write ? "write" : "read") : "fetch", ipa,
			     read_sysreg(elr_el2));
		return;
	}
	emulate = data && !from_el0 && (esr & ISS_ISV);

	printk("Root cell CPU %u: stage-2 %s fault at IPA 0x%llx "
	       "(VA 0x%llx, PC 0x%llx, %s): access denied, %s\n",
	       this_cpu()->cpu_id, data ? (write ? "write" : "read") : "fetch",
	       ipa, far, read_sysreg(elr_el2), from_el0 ? "EL0" : "EL1",
	       emulate ? (write ? "write ignored" : "read as zero")
		       : "external abort injected");
	if (emulate) {
		if (!write && ISS_SRT(esr) != REG_XZR)
			f->x[ISS_SRT(esr)] = 0;
		skip_instruction();
		return;
	}

	if (data)
		new_ec = from_el0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
	else
		new_ec = from_el0 ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	inject_sync(((u64)new_ec << ESR_EC_SHIFT) | ESR_IL | iss, far);
}

static void inject_undef(void)
{
	inject_sync(ESR_IL, 0);
}

/*
 * ACTLR_EL1 (HCR_EL2.TAC): implementation defined core controls, which
 * act on the whole core and outlive a change of owner. Reads see the
 * real value; writes are ignored, for the root as for any cell.
 */
static void emulate_actlr(struct per_cpu *pc, struct frame *f, u64 esr)
{
	static bool root_logged;
	unsigned int rt = ISS_SYSREG_RT(esr);

	if (esr & ISS_SYSREG_READ) {
		if (rt != REG_XZR)
			f->x[rt] = read_sysreg(actlr_el1);
		return;
	}
	if (pc->cell != &root_cell)
		cell_ignored_write(pc, "ACTLR_EL1 write (0x%llx) ignored",
				   rt == REG_XZR ? 0 : f->x[rt]);
	else if (!__atomic_exchange_n(&root_logged, true, __ATOMIC_RELAXED))
		printk("Root cell CPU %u: ACTLR_EL1 write ignored (further "
		       "ones are not logged)\n",
		       pc->cpu_id);
}

/*
 * With HCR_EL2.IMO set the SGI generation registers trap, with
 * HCR_EL2.TAC ACTLR_EL1.
 */
static bool handle_sysreg(struct per_cpu *pc, struct frame *f, u64 esr)
{
	unsigned int rt = ISS_SYSREG_RT(esr);
	u64 value = rt == REG_XZR ? 0 : f->x[rt];

	if ((esr & SYSREG_ISS_MASK) == ISS_ACTLR_EL1) {
		emulate_actlr(pc, f, esr);
		skip_instruction();
		return true;
	}
	if (esr & ISS_SYSREG_READ)
		return false;
	switch (esr & SYSREG_ISS_MASK) {
	case ISS_ICC_SGI1R:
		gic_send_sgi1r(pc, value);
		break;
	case ISS_ICC_ASGI1R:
	case ISS_ICC_SGI0R:
		/* Group 0 / secure SGIs: nobody here may raise those. */
		break;
	default:
		return false;
	}
	skip_instruction();
	return true;
}

static void arch_handle_sync(struct per_cpu *pc, struct frame *f);

void arch_handle_trap(struct frame *f, u64 type)
{
	struct per_cpu *pc = this_cpu();

	pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_TOTAL]++;
	switch (type) {
	case TRAP_IRQ:
		gic_handle_irq(pc);
		break;
	case TRAP_FIQ:
		gic_handle_fiq(pc);
		break;
	case TRAP_SERROR:
		printk("CPU %u: SError from EL1, ESR 0x%llx, PC 0x%llx\n",
		       pc->cpu_id, read_sysreg(esr_el2), read_sysreg(elr_el2));
		break;
	default:
		arch_handle_sync(pc, f);
		/* Whatever list registers the cell freed meanwhile get used. */
		gic_flush_queue(pc);
	}
	/*
	 * The root holds this CPU (cell shutdown/start/destroy), or the cell
	 * failed or powered itself off: stop here. We come back from the park
	 * when the cell is started again, or as a root CPU after destroy.
	 */
	if (READ_ONCE(pc->held) ||
	    (pc->cell != &root_cell &&
	     (pc->cell->state == JAILHOUSE_CELL_FAILED ||
	      pc->cell->state == JAILHOUSE_CELL_SHUT_DOWN)))
		arch_cpu_park(pc, f);
}

static void arch_handle_sync(struct per_cpu *pc, struct frame *f)
{
	u64 esr, elr;
	unsigned int ec;

	esr = read_sysreg(esr_el2);
	ec = esr >> ESR_EC_SHIFT;
	switch (ec) {
	case ESR_EC_HVC64:
		if ((esr & ESR_ISS_HVC_IMM_MASK) == JAILHOUSE_HVC_IMM)
			f->x[0] = hypercall(pc, f, f->x[0], f->x[1], f->x[2]);
		else if (pc->cell != &root_cell)
			/* Cells may use the HVC conduit for PSCI. */
			psci_handle_smc(pc, f);
		else
			/* Linux hyp-stub calls: EL2 is taken, refuse them. */
			f->x[0] = HVC_STUB_ERR;
		break;
	case ESR_EC_SMC64:
		/* A trapped SMC returns to the SMC itself: skip it. */
		elr = read_sysreg(elr_el2);
		write_sysreg(elr + 4, elr_el2);
		psci_handle_smc(pc, f);
		break;
	case ESR_EC_SYS64:
		if (handle_sysreg(pc, f, esr))
			break;
		if (pc->cell != &root_cell) {
			cell_refused(pc,
				     "unhandled system register access, "
				     "ESR 0x%llx",
				     esr);
			break;
		}
		printk("CPU %u: unhandled system register access, ESR 0x%llx: "
		       "undefined instruction injected\n",
		       pc->cpu_id, esr);
		inject_undef();
		break;
	case ESR_EC_DABT_LOW:
	case ESR_EC_IABT_LOW:
		pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_MMIO]++;
		handle_abort(f, esr, ec);
		break;
	default:
		if (pc->cell != &root_cell) {
			cell_refused(pc,
				     "unhandled trap, ESR 0x%llx, PC 0x%llx",
				     esr, read_sysreg(elr_el2));
			break;
		}
		printk("CPU %u: unhandled trap, ESR 0x%llx, PC 0x%llx: "
		       "undefined instruction injected\n",
		       pc->cpu_id, esr, read_sysreg(elr_el2));
		inject_undef();
	}
}

void arch_hyp_fault(struct frame *f, u64 type)
{
	printk("FATAL: exception %llu at EL2 on CPU %u: ESR 0x%llx ELR 0x%llx "
	       "FAR 0x%llx\n",
	       type, this_cpu()->cpu_id, read_sysreg(esr_el2),
	       read_sysreg(elr_el2), read_sysreg(far_el2));
	printk("x0 0x%llx x1 0x%llx x30 0x%llx\n", f->x[0], f->x[1], f->x[30]);
}
