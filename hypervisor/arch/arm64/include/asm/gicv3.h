/* SPDX-License-Identifier: MIT */
/*
 * GICv3 under the hypervisor. Physical interrupts of a CPU are taken at EL2
 * and handed to the cell through the list registers of the virtual CPU
 * interface; the cell's ICC_* accesses land in the ICV_* registers. The
 * distributor is not mapped into any cell: accesses trap and are filtered
 * by IRQ ownership before they reach the real GICD.
 * Register offsets and bit positions are from the GICv3 architecture.
 */
#ifndef ASM_GICV3_H
#define ASM_GICV3_H

#include <hv/types.h>

#define GICD_SIZE 0x10000
/* RD_base + SGI_base; GICv4 adds VLPI_base and a reserved frame. */
#define GICR_FRAME_SIZE_V3 0x20000
#define GICR_FRAME_SIZE_V4 0x40000
#define GICR_RD_FRAME 0x10000
#define GICR_SGI_BASE 0x10000

/* Distributor */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_STATUSR 0x0010
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_ICACTIVER_END 0x0400
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_IGRPMODR_END (GICD_IGRPMODR + GIC_MAX_IRQS / 8)
#define GICD_NSACR 0x0e00
#define GICD_IROUTER 0x6000
#define GICD_IROUTER_END 0x7fe0
#define GICD_ID_START 0xffd0
#define GICD_IROUTER_IRM (1ULL << 31)
#define GICD_IROUTER_AFF 0xff00ffffffULL /* as MPIDR_CPUID_MASK */

/* Redistributor, RD_base frame */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_TYPER_VLPIS (1ULL << 1)
#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_ID_START 0xffd0
/* Redistributor, SGI_base frame */
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280
#define GICR_ISACTIVER0 0x0300
#define GICR_ICACTIVER0 0x0380
#define GICR_IGROUPR0 0x0080
#define GICR_IPRIORITYR 0x0400
#define GICR_ICFGR0 0x0c00
#define GICR_IGRPMODR0 0x0d00

/* CPU interface (ICC_*) and its virtualisation controls (ICH_*) */
#define ICC_CTLR_CBPR (1ULL << 0)
#define ICC_CTLR_EOIMODE (1ULL << 1)
#define ICC_IAR_INTID_MASK 0xffffff
#define ICC_IAR_SPURIOUS_MIN 1020 /* 1020-1023: no interrupt to take */
#define ICC_IAR_SPURIOUS_END 1024
#define ICC_PMR_MASK 0xff
#define ICC_BPR_MASK 7

#define ICH_VTR_LISTREGS_MASK 0x1f /* number of list registers - 1 */

#define ICH_HCR_EN (1ULL << 0)
#define ICH_HCR_UIE (1ULL << 1)

#define ICH_VMCR_VENG1 (1ULL << 1)
#define ICH_VMCR_VCBPR (1ULL << 4)
#define ICH_VMCR_VEOIM (1ULL << 9)
#define ICH_VMCR_VBPR1_SHIFT 18
#define ICH_VMCR_VPMR_SHIFT 24

#define ICH_LR_VINTID_MASK 0xffffffffULL
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_PRIO_SHIFT 48
#define ICH_LR_GROUP1 (1ULL << 60)
#define ICH_LR_HW (1ULL << 61)
#define ICH_LR_PENDING (1ULL << 62)
#define ICH_LR_ACTIVE (1ULL << 63)

/* ICC_SGI1R_EL1 fields */
#define SGIR_TARGETS_MASK 0xffffULL
#define SGIR_AFF_MASK 0xff
#define SGIR_AFF1_SHIFT 16
#define SGIR_INTID_SHIFT 24
#define SGIR_INTID_MASK 0xf
#define SGIR_AFF2_SHIFT 32
#define SGIR_IRM (1ULL << 40)
#define SGIR_RS_SHIFT 44
#define SGIR_RS_MASK 0xf
/* The target list holds Aff0 values RS * 16 to RS * 16 + 15. */
#define SGIR_TARGETS_PER_RS 16
#define SGIR_AFF3_SHIFT 48

/* The priority virtual interrupts get: Linux's default, above its PMR. */
#define GIC_VIRQ_PRIORITY 0xa0
/* Physical PMR while the hypervisor owns the CPU interface: let all in. */
#define GIC_HV_PMR 0xf0

#define GIC_MAX_IRQS 1024
/* INTIDs 0-15 are SGIs, 16-31 PPIs (both private to a CPU), 32 on SPIs. */
#define GIC_FIRST_PPI 16
#define GIC_FIRST_SPI 32
#define GIC_PPI_MASK 0xffff0000u /* INTIDs 16-31 of a redistributor */

/*
 * The SGI a root CPU sends to a cell CPU to make it exit to EL2 (stop
 * requests). Linux uses the low SGIs only; no cell can send it to another
 * cell's CPU, nor disable it in its own redistributor.
 */
#define GIC_MGMT_SGI 15

struct per_cpu;
struct cell;

/* State of one CPU's interface, part of struct per_cpu. */
struct gic_cpu {
	u64 gicr; /* this CPU's RD_base (identity mapped) */
	bool queued_any;
	/* Interrupts waiting for a free list register. */
	u32 queued[GIC_MAX_IRQS / 32];
};

/* Interrupts a cell owns; only these pass the distributor filter. */
struct gic_cell {
	u32 irqs[GIC_MAX_IRQS / 32];
};

int gic_init_early(void);
void gic_probe_frame_size(u64 first_rd_frame);
u64 gicr_frame_size(void);
void gic_cell_init(struct cell *cell);
/* Move the cell's SPIs from the root to it (create) and back (destroy). */
int gic_cell_create(struct cell *cell);
void gic_cell_destroy(struct cell *cell);
/* On a CPU about to enter its cell: management SGI and maintenance on. */
void gic_cpu_start(struct per_cpu *pc);
void gic_send_mgmt_sgi(struct per_cpu *target);
bool gicr_is_mmio(u64 addr);
/* Emulated redistributor access of a non-root cell; false: refused. */
bool gicr_access(struct per_cpu *pc, u64 addr, unsigned int size, bool write,
		 u64 *value);
int gic_cpu_init(struct per_cpu *pc);
/* Give the physical interface back (disable) or reset it (CPU_OFF). */
void gic_cpu_shutdown(struct per_cpu *pc);
void gic_cpu_reset(struct per_cpu *pc);
void gic_handle_irq(struct per_cpu *pc);
void gic_handle_fiq(struct per_cpu *pc);
/* Ends the SGIs that woke a parked CPU; leaves any other interrupt. */
void gic_park_drain(struct per_cpu *pc);
void gic_flush_queue(struct per_cpu *pc);
void gic_send_sgi1r(struct per_cpu *pc, u64 value);
bool gicd_is_mmio(u64 addr);
/* Emulated access to distributor address @addr; false: not allowed. */
bool gicd_access(struct per_cpu *pc, u64 addr, unsigned int size, bool write,
		 u64 *value);

#endif
