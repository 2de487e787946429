// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GICv3 for one CPU: distributor on, this CPU's redistributor awake, and the
 * CPU interface through its system registers. Addresses default to QEMU
 * virt's ("gicd-base=", "gicr-base=" override). Under the hypervisor the
 * distributor and redistributor accesses are filtered for the cell.
 */
#include "inmate.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_G1 (1 << 1)
#define GICD_CTLR_ARE (1 << 4)

#define GICR_STRIDE 0x20000
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1 << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1 << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1 << 2)
#define GICR_SGI_FRAME 0x10000
#define GICR_IGROUPR0 (GICR_SGI_FRAME + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_FRAME + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI_FRAME + 0x0400)

static u64 redistributor;

/* The redistributor whose affinity matches this CPU's MPIDR. */
static u64 find_redistributor(u64 base)
{
	u64 mpidr = read_sysreg(mpidr_el1);
	u32 affinity = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	for (;; base += GICR_STRIDE) {
		u32 typer_high = mmio_read32(base + GICR_TYPER + 4);
		u32 typer_low = mmio_read32(base + GICR_TYPER);

		if (typer_high == affinity)
			return base;
		if (typer_low & GICR_TYPER_LAST)
			return 0;
	}
}

void gic_init(void)
{
	u64 gicd = cmdline_u64("gicd-base", 0x08000000);

	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	redistributor = find_redistributor(cmdline_u64("gicr-base", 0x080a0000));
	if (!redistributor) {
		print("inmate: no GIC redistributor for this CPU\n");
		halt();
	}
	mmio_write32(redistributor + GICR_WAKER,
		     mmio_read32(redistributor + GICR_WAKER) &
			     ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(redistributor + GICR_WAKER) &
	       GICR_WAKER_CHILDREN_ASLEEP)
		;

	write_sysreg(S3_0_C12_C12_5, 0x7); /* ICC_SRE_EL1: system registers */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1: let all through */
	write_sysreg(S3_0_C12_C12_3, 0); /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 0); /* ICC_CTLR_EL1: EOI also deactivates */
	write_sysreg(S3_0_C12_C12_7, 1); /* ICC_IGRPEN1_EL1 */
	isb();
}

void gic_enable_ppi(u32 intid)
{
	u64 priority = redistributor + GICR_IPRIORITYR + intid;

	/* Resets leave it in group 0, which would arrive as FIQ, not IRQ. */
	mmio_write32(redistributor + GICR_IGROUPR0,
		     mmio_read32(redistributor + GICR_IGROUPR0) | 1u << intid);
	mmio_write32(priority & ~3ul, (mmio_read32(priority & ~3ul) &
				       ~(0xffu << (priority & 3) * 8)) |
					      0x80u << (priority & 3) * 8);
	mmio_write32(redistributor + GICR_ISENABLER0, 1u << intid);
}

u32 gic_ack(void)
{
	return read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */
}

void gic_eoi(u32 intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
}
