// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * GICv3 for one CPU: distributor on, this CPU's redistributor awake, and the
 * CPU interface through its system registers. Addresses default to QEMU
 * virt's ("gicd-base=", "gicr-base=" override). Under the hypervisor the
 * distributor and redistributor accesses are filtered for the cell.
 */
#include "gic.h"

static u64 distributor, redistributor;

u64 gic_find_redistributor(u64 base)
{
	u64 mpidr = read_sysreg(mpidr_el1);
	/* As GICR_TYPER[63:32] holds it: Aff3.Aff2.Aff1.Aff0 */
	u32 affinity = MPIDR_AFF(mpidr, 0) | MPIDR_AFF(mpidr, 1) << 8 |
		       MPIDR_AFF(mpidr, 2) << 16 | MPIDR_AFF(mpidr, 3) << 24;

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
	distributor = cmdline_u64("gicd-base", 0x08000000);
	mmio_write32(distributor + GICD_CTLR,
		     GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	redistributor =
		gic_find_redistributor(cmdline_u64("gicr-base", 0x080a0000));
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
	write_sysreg(S3_0_C12_C12_4,
		     0); /* ICC_CTLR_EL1: EOI also deactivates */
	write_sysreg(S3_0_C12_C12_7, 1); /* ICC_IGRPEN1_EL1 */
	isb();
}

/* Group 1 (resets leave group 0, which would arrive as FIQ), priority 0x80. */
static void set_group1_priority(u64 igroupr, u64 ipriorityr, u32 intid)
{
	u64 group = igroupr + intid / 32 * 4;
	u64 priority = ipriorityr + (intid & ~3u);
	u32 shift = (intid & 3) * 8;

	mmio_write32(group, mmio_read32(group) | 1u << (intid % 32));
	mmio_write32(priority, (mmio_read32(priority) & ~(0xffu << shift)) |
				       0x80u << shift);
}

void gic_enable_ppi(u32 intid)
{
	set_group1_priority(redistributor + GICR_IGROUPR0,
			    redistributor + GICR_IPRIORITYR, intid);
	mmio_write32(redistributor + GICR_ISENABLER0, 1u << intid);
}

/* A level-triggered SPI, routed to this CPU. */
void gic_enable_spi(u32 intid)
{
	u64 config = distributor + GICD_ICFGR + intid / 16 * 4;
	u64 mpidr = read_sysreg(mpidr_el1);

	set_group1_priority(distributor + GICD_IGROUPR,
			    distributor + GICD_IPRIORITYR, intid);
	mmio_write32(config, mmio_read32(config) & ~(2u << (intid % 16) * 2));
	mmio_write64(distributor + GICD_IROUTER + intid * 8,
		     mpidr & MPIDR_CPUID_MASK);
	mmio_write32(distributor + GICD_ISENABLER + intid / 32 * 4,
		     1u << (intid % 32));
}

u32 gic_ack(void)
{
	return read_sysreg(S3_0_C12_C12_0) & ICC_INTID_MASK; /* ICC_IAR1_EL1 */
}

void gic_eoi(u32 intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
}
