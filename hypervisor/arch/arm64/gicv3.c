/* SPDX-License-Identifier: MIT */
/*
 * GICv3 takeover. With HCR_EL2.IMO/FMO set, every physical interrupt of a
 * CPU is taken at EL2. We acknowledge it, drop its running priority and hand
 * it to the cell through a list register. Peripheral interrupts go in with
 * the HW bit and keep their physical active state until the cell deactivates
 * the virtual one, so the distributor does not deliver them again in
 * between. SGIs cannot use the HW bit and are deactivated here at once.
 * The cell's ICC_SGI1R_EL1 writes trap and are sent on as physical SGIs to
 * the cell's own CPUs. The distributor is filtered (gicd_access).
 */
#include <asm/gicv3.h>
#include <asm/platform.h>
#include <asm/sysregs.h>
#include <hv/cell.h>
#include <hv/config.h>
#include <hv/errno.h>
#include <hv/mmio.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <jailhouse/header.h>

extern struct jailhouse_header hv_header;

static u64 gicd_base, gicr_base, gicr_end;
static unsigned int num_lrs, maint_irq;
static u64 frame_size = GICR_FRAME_SIZE_V3;
static bool lpi_logged;
/* Serialises read-modify-write of the shared distributor registers. */
static spinlock_t dist_lock;

#define LR_READ(n)                                                             \
	case n:                                                                \
		return read_sysreg(ich_lr##n##_el2)
#define LR_WRITE(n)                                                            \
	case n:                                                                \
		write_sysreg(v, ich_lr##n##_el2);                              \
		break

static u64 read_lr(unsigned int n)
{
	switch (n) {
		LR_READ(0);
		LR_READ(1);
		LR_READ(2);
		LR_READ(3);
		LR_READ(4);
		LR_READ(5);
		LR_READ(6);
		LR_READ(7);
		LR_READ(8);
		LR_READ(9);
		LR_READ(10);
		LR_READ(11);
		LR_READ(12);
		LR_READ(13);
		LR_READ(14);
		LR_READ(15);
	}
	return 0;
}

static void write_lr(unsigned int n, u64 v)
{
	switch (n) {
		LR_WRITE(0);
		LR_WRITE(1);
		LR_WRITE(2);
		LR_WRITE(3);
		LR_WRITE(4);
		LR_WRITE(5);
		LR_WRITE(6);
		LR_WRITE(7);
		LR_WRITE(8);
		LR_WRITE(9);
		LR_WRITE(10);
		LR_WRITE(11);
		LR_WRITE(12);
		LR_WRITE(13);
		LR_WRITE(14);
		LR_WRITE(15);
	}
}

/* Affinity as GICR_TYPER[63:32] and ICC_SGI1R_EL1 see it. */
static u32 mpidr_to_aff32(u64 mpidr)
{
	return MPIDR_AFF(mpidr, 0) | MPIDR_AFF(mpidr, 1) << 8 |
	       MPIDR_AFF(mpidr, 2) << 16 | (u32)MPIDR_AFF(mpidr, 3) << 24;
}

static u64 sgi_frame(struct per_cpu *pc)
{
	return pc->arch.gic.gicr + GICR_SGI_BASE;
}

/*
 * A GICv4 redistributor with virtual LPI support has two more 64 KiB
 * frames (VLPI_base and a reserved one): the stride from one CPU's frame
 * to the next doubles. Called after gic_init_early, with the first RD_base
 * frame mapped at EL2.
 */
void gic_probe_frame_size(u64 first_rd_frame)
{
	if (!(mmio_read(first_rd_frame + GICR_TYPER, 8) & GICR_TYPER_VLPIS))
		return;
	gicr_end = gicr_base + (gicr_end - gicr_base) / GICR_FRAME_SIZE_V3 *
				       GICR_FRAME_SIZE_V4;
	frame_size = GICR_FRAME_SIZE_V4;
}

u64 gicr_frame_size(void)
{
	return frame_size;
}

int gic_init_early(void)
{
	const struct jailhouse_system *sys = system_config;

	if (sys->platform_info.arm.gic_version != 3) {
		printk("ERROR: GIC version %u is not supported (GICv3 only)\n",
		       sys->platform_info.arm.gic_version);
		return -ENODEV;
	}
	gicd_base = sys->platform_info.arm.gicd_base;
	gicr_base = sys->platform_info.arm.gicr_base;
	gicr_end = gicr_base + gicr_size();
	maint_irq = sys->platform_info.arm.maintenance_irq;
	if (maint_irq < GIC_FIRST_PPI || maint_irq >= GIC_FIRST_SPI) {
		printk("ERROR: maintenance IRQ %u is not a PPI\n", maint_irq);
		return -EINVAL;
	}
	num_lrs = (read_sysreg(ich_vtr_el2) & ICH_VTR_LISTREGS_MASK) + 1;
	printk("GICv3: %u list registers, maintenance IRQ %u\n", num_lrs,
	       maint_irq);
	return 0;
}

/* The SPIs a cell owns come from its irqchip entries for our GICD. */
static void config_irqs(const struct cell *cell, u32 *irqs)
{
	const struct jailhouse_cell_desc *c = cell->config;
	const struct jailhouse_irqchip *chip =
		(const void *)((const u8 *)cell_mem_regions(c) +
			       c->num_memory_regions *
				       sizeof(struct jailhouse_memory) +
			       c->num_cache_regions *
				       sizeof(struct jailhouse_cache));
	unsigned int n, w;

	for (n = 0; n < c->num_irqchips; n++, chip++) {
		if (chip->address != gicd_base)
			continue;
		for (w = 0; w < 4; w++) {
			unsigned int word = chip->pin_base / 32 + w;

			if (word > 0 && word < GIC_MAX_IRQS / 32)
				irqs[word] |= chip->pin_bitmap[w];
		}
	}
}

void gic_cell_init(struct cell *cell)
{
	config_irqs(cell, cell->arch.gic.irqs);
}

/*
 * Sends every SPI of @irqs to the CPU of @mpidr. Who an SPI reaches is
 * decided by its routing, not its owner: one left aimed at a CPU of the
 * previous owner would be taken there.
 */
static void route_spis(const u32 *irqs, u64 mpidr)
{
	unsigned int irq;

	for (irq = GIC_FIRST_SPI; irq < ICC_IAR_SPURIOUS_MIN; irq++)
		if (irqs[irq / 32] & (1u << (irq % 32)))
			mmio_write(gicd_base + GICD_IROUTER + irq * 8, 8,
				   mpidr & GICD_IROUTER_AFF);
}

int gic_cell_create(struct cell *cell)
{
	u32 irqs[GIC_MAX_IRQS / 32] = { 0 };
	unsigned int w;

	config_irqs(cell, irqs);
	for (w = 0; w < GIC_MAX_IRQS / 32; w++)
		if (irqs[w] & ~root_cell.arch.gic.irqs[w]) {
			printk("Cell create: SPIs 0x%x of word %u are not the "
			       "root cell's\n",
			       irqs[w] & ~root_cell.arch.gic.irqs[w], w);
			return -EBUSY;
		}
	spin_lock(&dist_lock);
	for (w = 1; w < GIC_MAX_IRQS / 32; w++) {
		if (!irqs[w])
			continue;
		/* Whatever Linux left enabled stays off until the cell
		 * enables it, and what it left pending is not the cell's. */
		mmio_write32(gicd_base + GICD_ICENABLER + w * 4, irqs[w]);
		mmio_write32(gicd_base + GICD_ICPENDR + w * 4, irqs[w]);
		root_cell.arch.gic.irqs[w] &= ~irqs[w];
		cell->arch.gic.irqs[w] = irqs[w];
	}
	/* Disabled as they are, to the cell's first CPU until it routes
	 * them itself. */
	route_spis(irqs, per_cpu(next_cpu(cell->cpu_mask, 0))->mpidr);
	spin_unlock(&dist_lock);
	return 0;
}

void gic_cell_destroy(struct cell *cell)
{
	unsigned int w;

	spin_lock(&dist_lock);
	for (w = 1; w < GIC_MAX_IRQS / 32; w++) {
		u32 irqs = cell->arch.gic.irqs[w];

		if (!irqs)
			continue;
		mmio_write32(gicd_base + GICD_ICENABLER + w * 4, irqs);
		mmio_write32(gicd_base + GICD_ICPENDR + w * 4, irqs);
	}
	/* Back to the root on the CPU that destroys the cell, which Linux
	 * holds; Linux routes them again when it uses them. */
	route_spis(cell->arch.gic.irqs, this_cpu()->mpidr);
	for (w = 1; w < GIC_MAX_IRQS / 32; w++) {
		root_cell.arch.gic.irqs[w] |= cell->arch.gic.irqs[w];
		cell->arch.gic.irqs[w] = 0;
	}
	spin_unlock(&dist_lock);
}

static bool cell_owns_irq(struct cell *cell, unsigned int irq)
{
	return irq < GIC_MAX_IRQS &&
	       (cell->arch.gic.irqs[irq / 32] & (1u << (irq % 32)));
}

int gic_cpu_init(struct per_cpu *pc)
{
	u32 aff = mpidr_to_aff32(pc->mpidr), active;
	u64 rd, ctlr, pmr, bpr1, grpen1, vmcr;
	unsigned int n;

	for (rd = gicr_base; rd < gicr_end; rd += frame_size) {
		u64 typer = mmio_read(rd + GICR_TYPER, 8);

		if ((typer >> 32) == aff) {
			pc->arch.gic.gicr = rd;
			break;
		}
		if (typer & GICR_TYPER_LAST)
			break;
	}
	if (!pc->arch.gic.gicr) {
		printk("CPU %u: no redistributor for MPIDR 0x%llx\n",
		       pc->cpu_id, pc->mpidr);
		return -ENODEV;
	}

	ctlr = read_sysreg(icc_ctlr_el1);
	pmr = read_sysreg(icc_pmr_el1);
	bpr1 = read_sysreg(icc_bpr1_el1);
	grpen1 = read_sysreg(icc_igrpen1_el1);

	/*
	 * We run inside Linux's IPI handler (or with IRQs off on the calling
	 * CPU). That IPI is still active; Linux would deactivate it after we
	 * return, but then its ICC_DIR write reaches the virtual interface
	 * and the physical SGI would stay active for good. End it here.
	 */
	active = mmio_read32(sgi_frame(pc) + GICR_ISACTIVER0);
	for (n = 0; n < 32; n++) {
		if (!(active & (1u << n)))
			continue;
		if (ctlr & ICC_CTLR_EOIMODE)
			write_sysreg(n, icc_dir_el1);
		else
			write_sysreg(n, icc_eoir1_el1);
	}

	/* Our own use of the physical interface: split priority drop and
	 * deactivation, let every priority Linux uses through. */
	write_sysreg(ctlr | ICC_CTLR_EOIMODE, icc_ctlr_el1);
	write_sysreg(GIC_HV_PMR, icc_pmr_el1);
	write_sysreg(1, icc_igrpen1_el1);

	/* Linux continues on the virtual interface with its own settings. */
	vmcr = (pmr & ICC_PMR_MASK) << ICH_VMCR_VPMR_SHIFT |
	       (bpr1 & ICC_BPR_MASK) << ICH_VMCR_VBPR1_SHIFT |
	       (ctlr & ICC_CTLR_EOIMODE ? ICH_VMCR_VEOIM : 0) |
	       (ctlr & ICC_CTLR_CBPR ? ICH_VMCR_VCBPR : 0) |
	       (grpen1 & 1 ? ICH_VMCR_VENG1 : 0);
	write_sysreg(vmcr, ich_vmcr_el2);
	for (n = 0; n < num_lrs; n++)
		write_lr(n, 0);
	write_sysreg(0, ich_ap0r0_el2);
	write_sysreg(0, ich_ap1r0_el2);
	write_sysreg(ICH_HCR_EN, ich_hcr_el2);
	isb();
	mmio_write32(sgi_frame(pc) + GICR_ISENABLER0, 1u << maint_irq);
	return 0;
}

/* Put an interrupt in a list register; false if all are taken. */
static bool lr_inject(unsigned int irq)
{
	u64 elrsr = read_sysreg(ich_elrsr_el2), lr;
	int free = -1;
	unsigned int n;

	for (n = 0; n < num_lrs; n++) {
		if (elrsr & (1u << n)) {
			if (free < 0)
				free = n;
			continue;
		}
		lr = read_lr(n);
		if ((lr & ICH_LR_VINTID_MASK) != irq)
			continue;
		/* Already there: an SGI pends again behind its active copy;
		 * a HW interrupt cannot fire twice while active. */
		if (!(lr & ICH_LR_HW) && !(lr & ICH_LR_PENDING))
			write_lr(n, lr | ICH_LR_PENDING);
		return true;
	}
	if (free < 0)
		return false;
	lr = irq | (u64)GIC_VIRQ_PRIORITY << ICH_LR_PRIO_SHIFT | ICH_LR_GROUP1 |
	     ICH_LR_PENDING;
	if (irq >= GIC_FIRST_PPI)
		lr |= ICH_LR_HW | (u64)irq << ICH_LR_PINTID_SHIFT;
	write_lr(free, lr);
	return true;
}

static void inject(struct per_cpu *pc, unsigned int irq)
{
	struct gic_cpu *g = &pc->arch.gic;

	/* The queue and the ownership bitmaps end at GIC_MAX_IRQS. */
	if (irq >= GIC_MAX_IRQS)
		return;
	if (!g->queued_any && lr_inject(irq))
		return;
	/*
	 * No list register free: queue it and ask for the underflow
	 * maintenance interrupt. Linux disables all PPIs, ours included, when
	 * it brings a CPU up, so enable it again each time we rely on it.
	 */
	g->queued[irq / 32] |= 1u << (irq % 32);
	g->queued_any = true;
	mmio_write32(sgi_frame(pc) + GICR_ISENABLER0, 1u << maint_irq);
	write_sysreg(read_sysreg(ich_hcr_el2) | ICH_HCR_UIE, ich_hcr_el2);
}

/* Move queued interrupts into list registers as they become free. */
void gic_flush_queue(struct per_cpu *pc)
{
	struct gic_cpu *g = &pc->arch.gic;
	unsigned int w, b;

	if (!g->queued_any)
		return;
	for (w = 0; w < GIC_MAX_IRQS / 32; w++) {
		for (b = 0; b < 32 && g->queued[w]; b++) {
			if (!(g->queued[w] & (1u << b)))
				continue;
			if (!lr_inject(w * 32 + b))
				return;
			g->queued[w] &= ~(1u << b);
		}
	}
	g->queued_any = false;
	write_sysreg(read_sysreg(ich_hcr_el2) & ~ICH_HCR_UIE, ich_hcr_el2);
}

/*
 * Take the highest pending interrupt of group 1 (an IRQ) or group 0 (a FIQ)
 * into @irq and drop the running priority. With EOImode 1 that does not
 * deactivate it: the caller does, or the cell does through the list
 * register. False when none is pending.
 */
static bool take_irq(bool group1, unsigned int *irq)
{
	*irq = (group1 ? read_sysreg(icc_iar1_el1)
		       : read_sysreg(icc_iar0_el1)) &
	       ICC_IAR_INTID_MASK;
	if (*irq >= ICC_IAR_SPURIOUS_MIN && *irq < ICC_IAR_SPURIOUS_END)
		return false;
	if (group1)
		write_sysreg(*irq, icc_eoir1_el1);
	else
		write_sysreg(*irq, icc_eoir0_el1);
	return true;
}

void gic_handle_irq(struct per_cpu *pc)
{
	unsigned int irq;

	while (take_irq(true, &irq)) {
		/*
		 * An LPI (or a reserved INTID): no cell owns one, as there is
		 * no ITS support. An LPI has no active state, so the priority
		 * drop above ends it.
		 */
		if (irq >= GIC_MAX_IRQS) {
			if (!__atomic_exchange_n(&lpi_logged, true,
						 __ATOMIC_RELAXED))
				printk("CPU %u: LPI %u dropped: no cell owns "
				       "LPIs (further ones are not logged)\n",
				       pc->cpu_id, irq);
			continue;
		}
		if (irq == maint_irq) {
			write_sysreg(irq, icc_dir_el1);
			pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_MAINTENANCE]++;
			gic_flush_queue(pc);
			continue;
		}
		if (irq < GIC_FIRST_PPI)
			write_sysreg(irq, icc_dir_el1);
		/* An SPI of another cell, routed here before it changed
		 * hands: ending it here is all its owner could lose. */
		if (irq >= GIC_FIRST_SPI && irq < ICC_IAR_SPURIOUS_MIN &&
		    !cell_owns_irq(pc->cell, irq)) {
			write_sysreg(irq, icc_dir_el1);
			continue;
		}
		/* Ours alone: a stop request, which arch_handle_trap acts
		 * on after us, or a late copy of one (dropped). */
		if (irq == GIC_MGMT_SGI) {
			pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT]++;
			continue;
		}
		pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_VIRQ]++;
		inject(pc, irq);
	}
	isb();
}

void gic_cpu_start(struct per_cpu *pc)
{
	mmio_write32(sgi_frame(pc) + GICR_ISENABLER0,
		     1u << maint_irq | 1u << GIC_MGMT_SGI);
}

/* Nobody uses group 0 here; acknowledge and drop it so it cannot storm. */
void gic_handle_fiq(struct per_cpu *pc)
{
	unsigned int irq;

	while (take_irq(false, &irq)) {
		write_sysreg(irq, icc_dir_el1);
		printk("CPU %u: group 0 interrupt %u dropped\n", pc->cpu_id,
		       irq);
	}
	isb();
}

static u64 sgi1r_for(u64 mpidr, unsigned int intid)
{
	unsigned int aff0 = MPIDR_AFF(mpidr, 0);

	return MPIDR_AFF(mpidr, 1) << SGIR_AFF1_SHIFT |
	       MPIDR_AFF(mpidr, 2) << SGIR_AFF2_SHIFT |
	       MPIDR_AFF(mpidr, 3) << SGIR_AFF3_SHIFT |
	       (u64)(aff0 / SGIR_TARGETS_PER_RS) << SGIR_RS_SHIFT |
	       (u64)intid << SGIR_INTID_SHIFT | BIT(aff0 % SGIR_TARGETS_PER_RS);
}

static bool sgi1r_targets(u64 v, u64 mpidr)
{
	unsigned int aff0 = MPIDR_AFF(mpidr, 0);

	return ((v >> SGIR_AFF1_SHIFT) & SGIR_AFF_MASK) ==
		       MPIDR_AFF(mpidr, 1) &&
	       ((v >> SGIR_AFF2_SHIFT) & SGIR_AFF_MASK) ==
		       MPIDR_AFF(mpidr, 2) &&
	       ((v >> SGIR_AFF3_SHIFT) & SGIR_AFF_MASK) ==
		       MPIDR_AFF(mpidr, 3) &&
	       ((v >> SGIR_RS_SHIFT) & SGIR_RS_MASK) ==
		       aff0 / SGIR_TARGETS_PER_RS &&
	       (v & BIT(aff0 % SGIR_TARGETS_PER_RS));
}

void gic_send_mgmt_sgi(struct per_cpu *target)
{
	write_sysreg(sgi1r_for(target->mpidr, GIC_MGMT_SGI), icc_sgi1r_el1);
	isb();
}

/* Puts pending (virtual) state back into the physical GIC. */
static void set_pending_physically(struct per_cpu *pc, unsigned int irq)
{
	if (irq < GIC_FIRST_PPI)
		write_sysreg(sgi1r_for(pc->mpidr, irq), icc_sgi1r_el1);
	else if (irq < GIC_FIRST_SPI)
		mmio_write32(sgi_frame(pc) + GICR_ISPENDR0, 1u << irq);
	else
		mmio_write32(gicd_base + GICD_ISPENDR + irq / 32 * 4,
			     1u << (irq % 32));
}

/*
 * What woke a parked CPU from WFI ends here: SGIs, which bring a parked
 * CPU no message (the management SGI only wakes it; gic_cpu_reset dropped
 * its last owner's). Anything else is left pending for whoever gets the
 * CPU next, and is made pending again should it be taken by a race.
 */
void gic_park_drain(struct per_cpu *pc)
{
	unsigned int irq;

	for (;;) {
		irq = read_sysreg(icc_hppir1_el1) & ICC_IAR_INTID_MASK;
		if (irq >= GIC_FIRST_PPI || !take_irq(true, &irq))
			break;
		if (irq >= GIC_MAX_IRQS)
			continue;
		if (irq >= GIC_FIRST_PPI)
			set_pending_physically(pc, irq);
		write_sysreg(irq, icc_dir_el1);
	}
	/* Whoever sent the SGI wrote what it wakes us for before it. */
	isb();
}

/*
 * Empty the list registers and the queue. Pending SPIs become physically
 * pending again, so their owner still gets them wherever they are routed.
 * Pending SGIs and PPIs belong to this CPU's current owner: they go back
 * only when @keep_private (disable, Linux keeps the CPU); otherwise they
 * are dropped, or a cell could leave e.g. Linux's IPI_CPU_STOP (SGI 2)
 * for the CPU's next owner. A HW one is deactivated, which we owe it
 * since we only dropped its priority. One the cell is still handling
 * stays physically active when @keep_active, because Linux deactivates it
 * on the physical interface after disable.
 */
static void unload_virtual_state(struct per_cpu *pc, bool keep_active,
				 bool keep_private)
{
	struct gic_cpu *g = &pc->arch.gic;
	unsigned int n, w, b;

	for (n = 0; n < num_lrs; n++) {
		u64 lr = read_lr(n);
		unsigned int irq = lr & ICH_LR_VINTID_MASK;

		write_lr(n, 0);
		if (!(lr & (ICH_LR_PENDING | ICH_LR_ACTIVE)))
			continue;
		if ((lr & ICH_LR_PENDING) &&
		    (irq >= GIC_FIRST_SPI || keep_private))
			set_pending_physically(pc, irq);
		if ((lr & ICH_LR_HW) && ((lr & ICH_LR_PENDING) || !keep_active))
			write_sysreg(irq, icc_dir_el1);
	}
	for (w = 0; w < GIC_MAX_IRQS / 32; w++) {
		for (b = 0; b < 32; b++) {
			if (!(g->queued[w] & (1u << b)))
				continue;
			if (w > 0 || keep_private)
				set_pending_physically(pc, w * 32 + b);
			if (w * 32 + b >= GIC_FIRST_PPI)
				write_sysreg(w * 32 + b, icc_dir_el1);
		}
		g->queued[w] = 0;
	}
	g->queued_any = false;
	write_sysreg(0, ich_ap0r0_el2);
	write_sysreg(0, ich_ap1r0_el2);
	isb();
}

/*
 * CPU_OFF or a stop, after which the CPU may change hands: the next CPU_ON
 * starts with a fresh interface, and no SGI or PPI of this owner, virtual
 * or still pending in the redistributor, nor an enabled PPI of it. The
 * management SGI, which wakes the parked CPU, is on (a root CPU may have
 * had it off: Linux disables every private interrupt it does not use).
 */
void gic_cpu_reset(struct per_cpu *pc)
{
	unload_virtual_state(pc, false, false);
	mmio_write32(sgi_frame(pc) + GICR_ICENABLER0,
		     GIC_PPI_MASK & ~(1u << maint_irq));
	mmio_write32(sgi_frame(pc) + GICR_ICPENDR0, ~0u);
	mmio_write32(sgi_frame(pc) + GICR_ISENABLER0, 1u << GIC_MGMT_SGI);
	write_sysreg(ICH_HCR_EN, ich_hcr_el2);
	write_sysreg(0, ich_vmcr_el2);
	isb();
}

/* Disable: Linux gets the physical interface back as it had set it up. */
void gic_cpu_shutdown(struct per_cpu *pc)
{
	u64 vmcr = read_sysreg(ich_vmcr_el2);
	u64 ctlr = read_sysreg(icc_ctlr_el1) & ~ICC_CTLR_EOIMODE;

	unload_virtual_state(pc, true, true);
	write_sysreg(0, ich_hcr_el2);
	write_sysreg(0, ich_vmcr_el2);
	mmio_write32(sgi_frame(pc) + GICR_ICENABLER0, 1u << maint_irq);
	if (vmcr & ICH_VMCR_VEOIM)
		ctlr |= ICC_CTLR_EOIMODE;
	write_sysreg(ctlr, icc_ctlr_el1);
	write_sysreg(vmcr >> ICH_VMCR_VPMR_SHIFT, icc_pmr_el1);
	write_sysreg((vmcr >> ICH_VMCR_VBPR1_SHIFT) & 7, icc_bpr1_el1);
	write_sysreg(vmcr & ICH_VMCR_VENG1 ? 1 : 0, icc_igrpen1_el1);
	isb();
}

/*
 * A trapped ICC_SGI1R_EL1 write. SGIs may only reach CPUs of the sender's
 * cell. While no CPU belongs to another cell, the value goes out as it is;
 * otherwise each permitted target gets its own SGI.
 */
void gic_send_sgi1r(struct per_cpu *pc, u64 v)
{
	unsigned int intid = (v >> SGIR_INTID_SHIFT) & SGIR_INTID_MASK, n;
	bool foreign = false;

	pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_VSGI]++;
	for (n = 0; n < hv_header.max_cpus; n++) {
		struct cell *c = per_cpu(n)->cell;

		if (c && c != pc->cell)
			foreign = true;
	}
	if (!foreign) {
		write_sysreg(v, icc_sgi1r_el1);
		isb();
		return;
	}
	for (n = 0; n < hv_header.max_cpus; n++) {
		struct per_cpu *t = per_cpu(n);

		if (t->cell != pc->cell)
			continue;
		if (v & SGIR_IRM ? t == pc : !sgi1r_targets(v, t->mpidr))
			continue;
		write_sysreg(sgi1r_for(t->mpidr, intid), icc_sgi1r_el1);
	}
	isb();
}

bool gicd_is_mmio(u64 addr)
{
	return gicd_base && addr >= gicd_base && addr < gicd_base + GICD_SIZE;
}

/* IROUTER: an owned SPI may only be routed to a CPU of the same cell. */
static bool route_allowed(struct per_cpu *pc, u64 value)
{
	u64 aff = value & GICD_IROUTER_AFF;
	bool entering = false;
	unsigned int n;

	if (value & GICD_IROUTER_IRM)
		return false;
	for_each_cpu (n, pc->cell->cpu_mask) {
		struct per_cpu *t;

		/* The root's CPU set may name CPUs beyond those that exist. */
		if (n >= hv_header.max_cpus)
			break;
		t = per_cpu(n);
		if (t->cell == pc->cell && t->mpidr == aff)
			return true;
		/* Not entered yet during enable: its MPIDR is still unknown. */
		if (!t->cell)
			entering = true;
	}
	return entering;
}

/* Mask of the bits of a per-IRQ register access that belong to the cell. */
static u64 owned_bits(struct cell *cell, u64 reg_offset, unsigned int size,
		      unsigned int bits_per_irq)
{
	unsigned int first = reg_offset * 8 / bits_per_irq;
	unsigned int count = size * 8 / bits_per_irq, i;
	u64 field = (1ULL << bits_per_irq) - 1, mask = 0;

	for (i = 0; i < count; i++)
		if (cell_owns_irq(cell, first + i))
			mask |= field << (i * bits_per_irq);
	return mask;
}

/*
 * Whether the architecture defines an access of @size at @offset of
 * @frame: naturally aligned, and a word unless the register also takes
 * bytes or doublewords. Anything else may abort on the device, and we
 * would take that abort at EL2, possibly holding dist_lock; such an access
 * never reaches it, and a cell that makes one is stopped.
 */
static bool access_defined(struct per_cpu *pc, const char *frame, u64 offset,
			   unsigned int size, bool bytes, bool dwords)
{
	if (!(offset & (size - 1)) &&
	    (size == 4 || (size == 1 && bytes) || (size == 8 && dwords)))
		return true;
	if (pc->cell != &root_cell)
		cell_refused(pc,
			     "%s access of %u bytes at offset 0x%llx "
			     "refused: not a size and alignment the register "
			     "has",
			     frame, size, offset);
	return false;
}

/* IROUTER: only an owned SPI, and only to a CPU of the same cell. */
static bool gicd_route_access(struct per_cpu *pc, u64 addr, u64 offset,
			      unsigned int size, bool write, u64 *value)
{
	unsigned int irq = (offset - GICD_IROUTER) / 8;

	/*
	 * A kernel routes every SPI to its boot CPU when it starts
	 * (Linux's distributor init): for an SPI it does not own,
	 * aimed inside the cell, that write is ignored, not refused.
	 */
	if (!cell_owns_irq(pc->cell, irq) && size == 8 && write &&
	    pc->cell != &root_cell && route_allowed(pc, *value)) {
		cell_ignored_write(pc,
				   "routing of IRQ %u, which the "
				   "cell does not own, ignored",
				   irq);
		return true;
	}
	if (!cell_owns_irq(pc->cell, irq) || size != 8) {
		if (pc->cell != &root_cell)
			cell_refused(pc,
				     "access to the routing of "
				     "IRQ %u refused",
				     irq);
		return false;
	}
	if (write && !route_allowed(pc, *value)) {
		if (pc->cell != &root_cell)
			cell_refused(pc,
				     "routing IRQ %u to 0x%llx, "
				     "outside the cell, refused",
				     irq, *value);
		else
			printk("Root cell CPU %u: routing IRQ %u to "
			       "0x%llx, outside the cell, refused\n",
			       pc->cpu_id, irq, *value);
		return false;
	}
	if (write)
		mmio_write(addr, size, *value);
	else
		*value = mmio_read(addr, size);
	return true;
}

/*
 * The per-IRQ registers, limited to the IRQs the cell owns. False when
 * @offset is not one of them.
 */
static bool gicd_per_irq_access(struct per_cpu *pc, u64 addr, u64 offset,
				unsigned int size, bool write, u64 *value)
{
	/*
	 * Each bank starts again at IRQ 0: the set and clear registers are
	 * six banks of one bit per IRQ, not one bitmap.
	 */
	static const struct {
		u16 start, end;
		u8 bits;
		bool rmw; /* shared with other cells: read-modify-write */
	} per_irq[] = {
		{ GICD_IGROUPR, GICD_ISENABLER, 1, true },
		{ GICD_ISENABLER, GICD_ICENABLER, 1, false },
		{ GICD_ICENABLER, GICD_ISPENDR, 1, false },
		{ GICD_ISPENDR, GICD_ICPENDR, 1, false },
		{ GICD_ICPENDR, GICD_ISACTIVER, 1, false },
		{ GICD_ISACTIVER, GICD_ICACTIVER, 1, false },
		{ GICD_ICACTIVER, GICD_ICACTIVER_END, 1, false },
		{ GICD_IPRIORITYR, GICD_ITARGETSR, 8, true },
		{ GICD_ICFGR, GICD_IGRPMODR, 2, true },
		{ GICD_IGRPMODR, GICD_IGRPMODR_END, 1, true },
	};
	u64 mask, old;
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(per_irq); n++) {
		if (offset < per_irq[n].start || offset >= per_irq[n].end)
			continue;
		mask = owned_bits(pc->cell, offset - per_irq[n].start, size,
				  per_irq[n].bits);
		if (write && (*value & ~mask) && pc->cell != &root_cell)
			cell_ignored_write(pc,
					   "GICD write 0x%llx to offset "
					   "0x%llx touches IRQs it does not "
					   "own: ignored for those",
					   *value, offset);
		if (!write) {
			*value = mmio_read(addr, size) & mask;
		} else if (!per_irq[n].rmw) {
			/* Set/clear registers: zero bits have no effect. */
			if (*value & mask)
				mmio_write(addr, size, *value & mask);
		} else {
			spin_lock(&dist_lock);
			old = mmio_read(addr, size);
			mmio_write(addr, size, (old & ~mask) | (*value & mask));
			spin_unlock(&dist_lock);
		}
		return true;
	}
	return false;
}

bool gicd_access(struct per_cpu *pc, u64 addr, unsigned int size, bool write,
		 u64 *value)
{
	u64 offset = addr - gicd_base;

	if (!access_defined(pc, "GICD", offset, size,
			    offset >= GICD_IPRIORITYR && offset < GICD_ICFGR,
			    offset >= GICD_IROUTER &&
				    offset < GICD_IROUTER_END))
		return false;
	if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END)
		return gicd_route_access(pc, addr, offset, size, write, value);
	if (gicd_per_irq_access(pc, addr, offset, size, write, value))
		return true;

	/* Identification and global state: readable, never writable. */
	if (offset == GICD_CTLR || offset == GICD_TYPER ||
	    offset == GICD_IIDR || offset == GICD_TYPER2 ||
	    offset >= GICD_ID_START) {
		if (!write)
			*value = mmio_read(addr, size);
		return true;
	}
	/* Everything else (ITARGETSR, NSACR, SGIR, ...): RAZ/WI. */
	if (!write)
		*value = 0;
	return true;
}

bool gicr_is_mmio(u64 addr)
{
	return addr >= gicr_base && addr < gicr_end;
}

/* The CPU whose redistributor's RD_base frame is at @frame, or NULL. */
static struct per_cpu *gicr_owner(u64 frame)
{
	unsigned int n;

	for (n = 0; n < hv_header.max_cpus; n++)
		if (per_cpu(n)->arch.gic.gicr == frame)
			return per_cpu(n);
	return NULL;
}

/*
 * The SGI/PPI registers of one of the cell's own redistributors, at @reg
 * into the SGI frame; the bits of the IRQs in @protect stay ours.
 */
static bool gicr_sgi_access(u64 addr, u64 reg, unsigned int size, bool write,
			    u64 *value, u32 protect)
{
	u64 mask, old;

	if (size == 4 && (reg == GICR_IGROUPR0 || reg == GICR_ISENABLER0 ||
			  reg == GICR_ICENABLER0 || reg == GICR_ISPENDR0 ||
			  reg == GICR_ICPENDR0 || reg == GICR_ISACTIVER0 ||
			  reg == GICR_ICACTIVER0 || reg == GICR_IGRPMODR0)) {
		bool rmw = reg == GICR_IGROUPR0 || reg == GICR_IGRPMODR0;

		if (!write) {
			*value = mmio_read32(addr) & ~protect;
		} else if (rmw) {
			old = mmio_read32(addr);
			mmio_write32(addr,
				     (old & protect) | (*value & ~protect));
		} else if (*value & ~protect) {
			mmio_write32(addr, *value & ~protect);
		}
		return true;
	}
	if ((reg >= GICR_IPRIORITYR &&
	     reg + size <= GICR_IPRIORITYR + GIC_FIRST_SPI) ||
	    (reg >= GICR_ICFGR0 && reg + size <= GICR_ICFGR0 + 8)) {
		unsigned int bits = reg >= GICR_ICFGR0 ? 2 : 8, i;
		unsigned int first =
			(reg - (bits == 2 ? GICR_ICFGR0 : GICR_IPRIORITYR)) *
			8 / bits;

		if (!write) {
			*value = mmio_read(addr, size);
			return true;
		}
		mask = 0;
		for (i = 0; i < size * 8 / bits; i++)
			if (!(protect & (1u << (first + i))))
				mask |= ((1ULL << bits) - 1) << (i * bits);
		old = mmio_read(addr, size);
		mmio_write(addr, size, (old & ~mask) | (*value & mask));
		return true;
	}
	if (!write)
		*value = 0;
	return true;
}

/*
 * A non-root cell's redistributor accesses. Any frame's identification
 * (TYPER, IIDR, the ID registers) may be read, so the usual search for one's
 * own frame works. In the frames of its own CPUs the cell has the SGI/PPI
 * registers, minus the management SGI and the maintenance interrupt, which stay
 * ours. Everything else reads as zero and ignores writes.
 */
bool gicr_access(struct per_cpu *pc, u64 addr, unsigned int size, bool write,
		 u64 *value)
{
	u64 frame = gicr_base + ALIGN_DOWN(addr - gicr_base, frame_size);
	u64 offset = addr - frame;
	struct per_cpu *owner = gicr_owner(frame);
	u32 protect = 1u << GIC_MGMT_SGI | 1u << maint_irq;
	bool own = owner && owner->cell == pc->cell;

	if (!access_defined(pc, "GICR", offset, size,
			    offset >= GICR_SGI_BASE + GICR_IPRIORITYR &&
				    offset < GICR_SGI_BASE + GICR_IPRIORITYR +
						     32,
			    offset == GICR_TYPER))
		return false;
	if (!write &&
	    (offset == GICR_IIDR ||
	     (offset >= GICR_TYPER && offset + size <= GICR_TYPER + 8))) {
		*value = mmio_read(addr, size);
		return true;
	}
	/* Identification (GICR_PIDR2 tells a GICv3 frame), any frame. */
	if (!write && offset >= GICR_ID_START && offset < GICR_SGI_BASE) {
		*value = mmio_read(addr, size);
		return true;
	}
	if (!own) {
		if (write)
			cell_ignored_write(pc,
					   "write to a foreign "
					   "redistributor (0x%llx) ignored",
					   addr);
		else
			*value = 0;
		return true;
	}
	/*
	 * Read only: with ProcessorSleep set a redistributor may stop
	 * signalling its CPU, the management SGI included, and the root
	 * could no longer stop the cell. The hypervisor keeps it awake.
	 */
	if (offset == GICR_WAKER || offset == GICR_CTLR) {
		if (!write)
			*value = mmio_read(addr, size);
		return true;
	}
	if (offset < GICR_SGI_BASE) {
		if (!write)
			*value = 0;
		return true;
	}
	return gicr_sgi_access(addr, offset - GICR_SGI_BASE, size, write, value,
			       protect);
}
