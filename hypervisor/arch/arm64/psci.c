/* SPDX-License-Identifier: MIT */
/*
 * SMC calls of the root, trapped by HCR_EL2.TSC. CPU power management is
 * emulated so a CPU stays under the hypervisor across Linux hot-unplug and
 * replug: CPU_OFF parks it at EL2, CPU_ON wakes it at the requested entry at
 * EL1. Of the rest only what root_may_forward lists reaches the firmware;
 * everything else gets NOT_SUPPORTED.
 * Non-root cells get their own small PSCI: CPU_ON only for CPUs of the cell,
 * CPU_OFF, AFFINITY_INFO, VERSION and FEATURES, and SYSTEM_OFF/SYSTEM_RESET,
 * which power off or restart the cell, never the machine (a kernel's
 * poweroff and reboot). Nothing reaches the firmware from a cell.
 */
#include <asm/gicv3.h>
#include <asm/psci.h>
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/percpu.h>
#include <hv/printk.h>

/* SCTLR_EL1 after reset: RES1 bits, MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800ULL

static void smc_to_firmware(struct frame *f)
{
	register u64 x0 asm("x0") = f->x[0];
	register u64 x1 asm("x1") = f->x[1];
	register u64 x2 asm("x2") = f->x[2];
	register u64 x3 asm("x3") = f->x[3];
	register u64 x4 asm("x4") = f->x[4];
	register u64 x5 asm("x5") = f->x[5];
	register u64 x6 asm("x6") = f->x[6];
	register u64 x7 asm("x7") = f->x[7];

	asm volatile("smc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     : "r"(x4), "r"(x5), "r"(x6), "r"(x7)
		     : "memory", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
		       "x15", "x16", "x17");
	f->x[0] = x0;
	f->x[1] = x1;
	f->x[2] = x2;
	f->x[3] = x3;
}

static struct per_cpu *cpu_by_mpidr(struct cell *cell, u64 mpidr)
{
	unsigned int n;

	mpidr &= MPIDR_CPUID_MASK;
	for_each_cpu (n, cell->cpu_mask) {
		struct per_cpu *pc = per_cpu(n);

		if (pc->cell == cell && pc->mpidr == mpidr)
			return pc;
	}
	return NULL;
}

/* Whether a parked CPU may take the CPU_ON waiting for it. */
static bool may_wake(struct per_cpu *pc)
{
	/*
	 * Park wins: a CPU the root holds stays parked, and so does one of
	 * a failed cell, whatever CPU_ON a sibling sent before it stopped.
	 */
	return pc->on_pending && !pc->held &&
	       pc->cell->state != JAILHOUSE_CELL_FAILED;
}

/*
 * CPU_OFF, a stop by the root or a failed cell: wait at EL2 until CPU_ON or
 * a cell start names us, then start there at EL1 in whatever cell owns the
 * CPU by then.
 */
void arch_cpu_park(struct per_cpu *pc, struct frame *f)
{
	unsigned int n;
	u64 entry, context;

	/* A stopped cell's timer must not fire into whoever comes next. */
	write_sysreg(0, cntv_ctl_el0);
	gic_cpu_reset(pc);
	spin_lock(&pc->control_lock);
	WRITE_ONCE(pc->power, CPU_PARKED);
	spin_unlock(&pc->control_lock);
	for (;;) {
		/*
		 * WFI, woken by the management SGI that CPU_ON and a cell
		 * start send: an emulator (QEMU's TCG) spins on WFE, which
		 * would burn a host core for every parked CPU.
		 */
		while (!READ_ONCE(pc->on_pending)) {
			wfi();
			gic_park_drain(pc);
		}
		spin_lock(&pc->control_lock);
		if (may_wake(pc))
			break;
		WRITE_ONCE(pc->on_pending, 0);
		spin_unlock(&pc->control_lock);
	}
	entry = pc->on_entry;
	context = pc->on_context;
	WRITE_ONCE(pc->on_pending, 0);
	WRITE_ONCE(pc->power, CPU_RUNNING);
	spin_unlock(&pc->control_lock);

	for (n = 0; n < 31; n++)
		f->x[n] = 0;
	f->x[0] = context;
	write_sysreg(SCTLR_EL1_RESET, sctlr_el1);
	write_sysreg(entry, elr_el2);
	write_sysreg(PSR_DAIF | PSR_MODE_EL1h, spsr_el2);
	write_sysreg(0, cntv_ctl_el0);
	el1_state_reset();
	/* The cell may have changed while we were parked. */
	write_sysreg((u64)pc->cell->s2_root |
			     ((u64)pc->cell->id << VTTBR_VMID_SHIFT),
		     vttbr_el2);
	isb();
	asm volatile("tlbi vmalls12e1; dsb nsh; isb" ::: "memory");
	gic_cpu_start(pc);
	asm volatile("ic iallu; dsb nsh; isb" ::: "memory");
}

static long cpu_on(struct per_cpu *caller, u64 mpidr, u64 entry, u64 ctx)
{
	struct per_cpu *target = cpu_by_mpidr(caller->cell, mpidr);
	long ret = PSCI_SUCCESS;

	if (!target) {
		if (caller->cell != &root_cell) {
			cell_refused(caller,
				     "PSCI CPU_ON of MPIDR 0x%llx "
				     "outside the cell refused",
				     mpidr);
			return PSCI_DENIED;
		}
		return PSCI_INVALID_PARAMETERS;
	}
	spin_lock(&target->control_lock);
	if (target->held) {
		/* Being stopped or handed over by the root. */
		ret = PSCI_DENIED;
	} else if (target->power != CPU_PARKED || target->on_pending) {
		ret = PSCI_ALREADY_ON;
	} else {
		target->on_entry = entry;
		target->on_context = ctx;
		asm volatile("dmb ish" ::: "memory");
		WRITE_ONCE(target->on_pending, 1);
	}
	spin_unlock(&target->control_lock);
	if (ret == PSCI_SUCCESS) {
		dsb_ish();
		gic_send_mgmt_sgi(target);
	}
	return ret;
}

static long affinity_info(struct per_cpu *caller, u64 mpidr, u64 level)
{
	struct per_cpu *target;

	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	target = cpu_by_mpidr(caller->cell, mpidr);
	if (!target)
		return PSCI_INVALID_PARAMETERS;
	return READ_ONCE(target->power) == CPU_PARKED &&
			       !READ_ONCE(target->on_pending)
		       ? PSCI_AFFINITY_OFF
		       : PSCI_AFFINITY_ON;
}

static long cell_psci_features(u32 fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_FEATURES:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/*
 * What the root may still ask the firmware itself: the SMCCC architecture
 * calls (version, features, CPU vulnerability workarounds), the PSCI
 * queries Linux makes, switching the whole machine off or resetting it,
 * which is the root's to decide, and its trusted OS. Nothing that takes an
 * entry point (SYSTEM_SUSPEND, CPU_DEFAULT_SUSPEND, ...): the firmware
 * would resume there at EL2, in place of the hypervisor. Nothing silicon
 * or OEM specific, which may reconfigure clocks or firewalls cells rely
 * on. CPU_ON/OFF/SUSPEND and AFFINITY_INFO are emulated before this.
 */
static bool root_may_forward(u32 fn)
{
	switch (fn) {
	case PSCI_VERSION:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2_32:
	case PSCI_SYSTEM_RESET2_64:
	case PSCI_FEATURES:
		return true;
	}
	return SMCCC_OWNER(fn) == SMCCC_OWNER_ARCH ||
	       SMCCC_OWNER(fn) >= SMCCC_OWNER_TRUSTED_FIRST;
}

static bool emulated(u32 fn)
{
	switch (fn) {
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		return true;
	}
	return false;
}

static void root_smc(struct per_cpu *pc, struct frame *f)
{
	u32 fn = (u32)f->x[0];

	if (!root_may_forward(fn)) {
		printk("Root cell CPU %u: SMC 0x%x refused, not supported\n",
		       pc->cpu_id, fn);
		f->x[0] = (u64)(long)PSCI_NOT_SUPPORTED;
		return;
	}
	/* A call we refuse or answer ourselves is not the firmware's to
	 * describe. */
	if (fn == PSCI_FEATURES && !emulated((u32)f->x[1]) &&
	    !root_may_forward((u32)f->x[1])) {
		f->x[0] = (u64)(long)PSCI_NOT_SUPPORTED;
		return;
	}
	smc_to_firmware(f);
}

void psci_handle_smc(struct per_cpu *pc, struct frame *f)
{
	u32 fn = (u32)f->x[0];
	bool root = pc->cell == &root_cell;

	if (SMCCC_OWNER(fn) == SMCCC_OWNER_STANDARD) /* PSCI */
		pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_PSCI]++;
	else
		pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_SMCCC]++;

	switch (fn) {
	case PSCI_CPU_OFF:
		arch_cpu_park(pc, f);
		return;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		f->x[0] = (u64)cpu_on(pc, f->x[1], f->x[2], f->x[3]);
		return;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		f->x[0] = (u64)affinity_info(pc, f->x[1], f->x[2]);
		return;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/* Treated as a standby state: wait for an interrupt. */
		wfi();
		f->x[0] = PSCI_SUCCESS;
		return;
	case PSCI_VERSION:
		if (root)
			break;
		f->x[0] = PSCI_VERSION_1_0;
		return;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		if (root)
			break;
		cell_power_off(pc, fn == PSCI_SYSTEM_RESET);
		arch_cpu_park(pc, f);
		return;
	case PSCI_FEATURES:
		if (root)
			break;
		f->x[0] = (u64)cell_psci_features((u32)f->x[1]);
		return;
	default:
		if (root)
			break;
		f->x[0] = (u64)(long)PSCI_NOT_SUPPORTED;
		return;
	}
	root_smc(pc, f);
}
