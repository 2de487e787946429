// SPDX-License-Identifier: GPL-2.0 OR MIT
/* GICv3 registers and fields the inmates use (GICv3 architecture). */
#ifndef INMATE_GIC_H
#define INMATE_GIC_H

#include "inmate.h"

/* Distributor */
#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_G1 (1 << 1)
#define GICD_CTLR_ARE (1 << 4)
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000

/* Redistributor: RD_base frame, then SGI_base frame */
#define GICR_STRIDE 0x20000UL
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI_FRAME 0x10000
#define GICR_IGROUPR0 (GICR_SGI_FRAME + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_FRAME + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI_FRAME + 0x0400)

/* CPU interface: the INTID field of ICC_IAR1_EL1 and ICC_HPPIR1_EL1 */
#define ICC_INTID_MASK 0xffffff
/* ICC_SGI1R_EL1 fields */
#define ICC_SGI1R_AFF1_SHIFT 16
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_AFF2_SHIFT 32
#define ICC_SGI1R_AFF3_SHIFT 48

/* MPIDR_EL1: Aff3 in bits 39:32 and Aff2.Aff1.Aff0 in 23:0 name a CPU. */
#define MPIDR_CPUID_MASK 0xff00fffffful
#define MPIDR_AFF_MASK 0xff
#define MPIDR_AFF_SHIFT(level) ((level) == 3 ? 32 : (level)*8)
#define MPIDR_AFF(mpidr, level)                                                \
	(((mpidr) >> MPIDR_AFF_SHIFT(level)) & MPIDR_AFF_MASK)

/* This CPU's redistributor, searched from the frame at @base on; 0: none. */
u64 gic_find_redistributor(u64 base);

#endif
