/* SPDX-License-Identifier: MIT */
/*
 * arm64 side of non-root cells: their stage 2, the memory and redistributors
 * they take from the root's stage 2, and stopping/starting their CPUs.
 *
 * The root runs identity mapped (IPA == PA), so a cell region's physical
 * range is also where the root sees it. Whatever a cell takes is unmapped
 * from the root with a broadcast TLB invalidation on the calling root CPU,
 * whose VMID is the root's.
 */
#include <asm/gicv3.h>
#include <asm/paging.h>
#include <asm/platform.h>
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/errno.h>
#include <hv/paging.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <jailhouse/comm-region.h>

/*
 * A CPU the root stops gets the management SGI again every STOP_RESEND_MS
 * and is given up on after STOP_TIMEOUT_MS: well beyond what taking an
 * interrupt costs, even on a busy emulated host, and far below Linux's
 * RCU stall and soft lockup warnings on the root CPU that waits.
 */
#define STOP_RESEND_MS 10
#define STOP_TIMEOUT_MS 2000

static void flush_root_s2(void)
{
	asm volatile("dsb ishst; tlbi vmalls12e1is; dsb ish; isb" ::: "memory");
}

static struct page_table root_pt(void)
{
	return s2_table(root_cell.s2_root);
}

/* The root region holding [pa, pa + size), or NULL. */
static const struct jailhouse_memory *root_region(u64 pa, u64 size)
{
	const struct jailhouse_memory *mem = cell_mem_regions(root_cell.config);
	unsigned int n;

	/* Written so that no sum can wrap, whatever the caller passes. */
	for (n = 0; n < root_cell.config->num_memory_regions; n++, mem++)
		if (!(mem->flags & JAILHOUSE_MEM_COMM_REGION) &&
		    pa >= mem->phys_start && size <= mem->size &&
		    pa - mem->phys_start <= mem->size - size)
			return mem;
	return NULL;
}

/* Attributes of the root region holding [pa, pa + size), or 0. */
static u64 root_attrs(u64 pa, u64 size)
{
	const struct jailhouse_memory *mem = root_region(pa, size);

	return mem ? s2_attrs(mem->flags) : 0;
}

/*
 * Clean and invalidate a region that changes owner to the point of
 * coherency: no line the old owner left dirty is written back over what
 * the new owner wrote, and no stale line is read instead of it (a CPU
 * starting with its MMU off reads memory, not the caches). Only RAM is
 * flushed, and only what EL2 maps: the root's page-aligned RAM regions
 * (see map_root_ram_el2), which every taken RAM region lies in.
 */
static void flush_dcache(const struct jailhouse_memory *mem)
{
	const struct jailhouse_memory *root =
		root_region(mem->phys_start, mem->size);
	u64 line = 4ULL << ((read_sysreg(ctr_el0) >> CTR_DMINLINE_SHIFT) &
			    CTR_DMINLINE_MASK);
	u64 addr, end = mem->phys_start + mem->size;

	if (!root || (mem->flags | root->flags) & JAILHOUSE_MEM_IO ||
	    (root->phys_start | root->size) & HV_PAGE_OFFSET_MASK)
		return;
	for (addr = ALIGN_DOWN(mem->phys_start, line); addr < end; addr += line)
		asm volatile("dc civac, %0" : : "r"(addr) : "memory");
	asm volatile("dsb sy" ::: "memory");
}

/* Regions a cell takes from the root (as opposed to shares with it). */
static bool taken_from_root(const struct jailhouse_memory *mem)
{
	return !(mem->flags &
		 (JAILHOUSE_MEM_ROOTSHARED | JAILHOUSE_MEM_COMM_REGION));
}

static int give_back_to_root(const struct jailhouse_memory *mem)
{
	struct page_table pt = root_pt();
	u64 attrs = root_attrs(mem->phys_start, mem->size);

	flush_dcache(mem);
	return attrs ? pt_map(&pt, mem->phys_start, mem->phys_start, mem->size,
			      attrs)
		     : 0;
}

/* Whether [pa, pa + size) reaches the distributor or a redistributor. */
static bool overlaps_gic(u64 pa, u64 size)
{
	const struct jailhouse_system *sys = system_config;

	return ranges_overlap(pa, size, sys->platform_info.arm.gicd_base,
			      GICD_SIZE) ||
	       ranges_overlap(pa, size, sys->platform_info.arm.gicr_base,
			      gicr_size());
}

/* Check every region before the root loses anything. */
static int check_cell_regions(const struct cell *cell)
{
	const struct jailhouse_memory *hv = &system_config->hypervisor_memory;
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	unsigned int n;

	for (n = 0; n < cell->config->num_memory_regions; n++, mem++) {
		if ((mem->phys_start | mem->virt_start | mem->size) &
			    HV_PAGE_OFFSET_MASK ||
		    !mem->size) {
			printk("Cell create: region %u is empty or not page "
			       "aligned\n",
			       n);
			return -EINVAL;
		}
		if (!region_fits(mem)) {
			printk("Cell create: region %u (0x%llx -> 0x%llx, size "
			       "0x%llx) is outside the %u-bit physical or the "
			       "%u-bit guest-physical address space\n",
			       n, mem->phys_start, mem->virt_start, mem->size,
			       address_bits().pa, address_bits().ipa);
			return -EINVAL;
		}
		if (mem->flags & JAILHOUSE_MEM_COMM_REGION)
			continue;
		if (ranges_overlap(mem->phys_start, mem->size, hv->phys_start,
				   hv->size) ||
		    !root_attrs(mem->phys_start, mem->size)) {
			printk("Cell create: region %u (0x%llx) is not the "
			       "root cell's to give\n",
			       n, mem->phys_start);
			return -EINVAL;
		}
		/* The GIC is only ever reached through the filter. */
		if (overlaps_gic(mem->phys_start, mem->size)) {
			printk("Cell create: region %u overlaps the GIC\n", n);
			return -EINVAL;
		}
	}
	return 0;
}

/* Build the cell's stage-2 table: its regions and its comm page. */
static int map_cell_regions(struct cell *cell, struct page_table *s2)
{
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	unsigned int n;
	int err;

	for (n = 0; n < cell->config->num_memory_regions; n++, mem++) {
		u64 attrs = s2_attrs(mem->flags);

		if (mem->flags & JAILHOUSE_MEM_COMM_REGION) {
			if (cell->comm)
				continue;
			cell->comm = page_alloc(&mem_pool);
			if (!cell->comm)
				return -ENOMEM;
			err = pt_map(s2, mem->virt_start, (u64)cell->comm,
				     HV_PAGE_SIZE,
				     (attrs & ~S2_MEMATTR_DEVICE) |
					     S2_MEMATTR_NORMAL | PTE_SH_INNER);
		} else {
			err = pt_map(s2, mem->virt_start, mem->phys_start,
				     mem->size, attrs);
		}
		if (err)
			return err;
	}
	if (!cell->comm) {
		/* Every cell has one; without a config entry it is hidden. */
		cell->comm = page_alloc(&mem_pool);
		if (!cell->comm)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Unmap from the root what the cell now owns: its memory, the
 * redistributors of its CPUs and its PCI devices' configuration pages.
 * What the root loses is recorded as it goes, so that destroy, or this
 * create failing half way, gives back exactly that and never another
 * cell's memory.
 */
static int unmap_from_root(struct cell *cell)
{
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	const struct jailhouse_pci_device *dev;
	struct page_table rpt = root_pt();
	unsigned int n;
	int err;

	for (n = 0; n < cell->config->num_memory_regions; n++, mem++) {
		cell->arch.regions_taken = n + 1;
		if (!taken_from_root(mem))
			continue;
		err = pt_unmap(&rpt, mem->phys_start, mem->size);
		if (err)
			return err;
	}
	/* The redistributors of the cell's CPUs: the cell reaches its own
	 * through gicr_access(), the root none any more. */
	for_each_cpu (n, cell->cpu_mask) {
		cell->arch.gicr_taken |= BIT(n);
		err = pt_unmap(&rpt, per_cpu(n)->arch.gic.gicr,
			       gicr_frame_size());
		if (err)
			return err;
	}
	/* The configuration pages of the cell's PCI devices: the root's
	 * accesses to them trap and are filtered (core/pci.c). */
	dev = cell_pci_devices(cell->config);
	for (n = 0; n < cell->config->num_pci_devices; n++, dev++) {
		u64 page = pci_config_page(dev);

		cell->arch.pci_taken = n + 1;
		if (!page || !root_attrs(page, HV_PAGE_SIZE))
			continue;
		err = pt_unmap(&rpt, page, HV_PAGE_SIZE);
		if (err)
			return err;
	}
	return 0;
}

int arch_cell_create(struct cell *cell)
{
	const struct jailhouse_memory *mem;
	struct page_table s2 = s2_table(s2_root_alloc());
	unsigned int n;
	int err;

	if (!s2.root)
		return -ENOMEM;
	cell->s2_root = s2.root;

	err = check_cell_regions(cell);
	if (err)
		return err;
	err = gic_cell_create(cell);
	if (err)
		return err;
	err = map_cell_regions(cell, &s2);
	if (err)
		return err;
	err = unmap_from_root(cell);
	if (err)
		return err;
	flush_root_s2();
	/* Out of the root's reach now: nothing it caches can come back. */
	mem = cell_mem_regions(cell->config);
	for (n = 0; n < cell->config->num_memory_regions; n++, mem++)
		if (taken_from_root(mem))
			flush_dcache(mem);
	return 0;
}

/* Also undoes a partial arch_cell_create. */
void arch_cell_destroy(struct cell *cell)
{
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	struct page_table s2 = s2_table(cell->s2_root);
	struct page_table rpt = root_pt();
	const struct jailhouse_pci_device *dev;
	unsigned int n;

	for (n = 0; n < cell->arch.regions_taken; n++, mem++)
		if (taken_from_root(mem) && give_back_to_root(mem))
			printk("ERROR: region 0x%llx not returned to the root "
			       "(page pool exhausted)\n",
			       mem->phys_start);
	cell->arch.regions_taken = 0;
	for_each_cpu (n, cell->arch.gicr_taken) {
		u64 frame = per_cpu(n)->arch.gic.gicr;

		if (!frame)
			continue;
		pt_map(&rpt, frame, frame, gicr_frame_size(),
		       PTE_AF | S2_AP_READ | S2_AP_WRITE | S2_MEMATTR_DEVICE |
			       S2_XN);
	}
	cell->arch.gicr_taken = 0;
	dev = cell_pci_devices(cell->config);
	for (n = 0; n < cell->arch.pci_taken; n++, dev++) {
		u64 page = pci_config_page(dev);
		u64 attrs = page ? root_attrs(page, HV_PAGE_SIZE) : 0;

		if (attrs)
			pt_map(&rpt, page, page, HV_PAGE_SIZE, attrs);
	}
	cell->arch.pci_taken = 0;
	flush_root_s2();
	gic_cell_destroy(cell);
	pt_destroy(&s2);
	cell->s2_root = NULL;
	if (cell->comm)
		page_free(&mem_pool, cell->comm);
	cell->comm = NULL;
}

int arch_cell_set_loadable(struct cell *cell, bool loadable)
{
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	struct page_table rpt = root_pt();
	unsigned int n;
	int err = 0;

	for (n = 0; n < cell->config->num_memory_regions && !err; n++, mem++) {
		if (!taken_from_root(mem) ||
		    !(mem->flags & JAILHOUSE_MEM_LOADABLE))
			continue;
		if (loadable)
			err = give_back_to_root(mem);
		else
			err = pt_unmap(&rpt, mem->phys_start, mem->size);
	}
	flush_root_s2();
	mem = cell_mem_regions(cell->config);
	for (n = 0; n < cell->config->num_memory_regions && !loadable;
	     n++, mem++)
		if (taken_from_root(mem) &&
		    (mem->flags & JAILHOUSE_MEM_LOADABLE))
			flush_dcache(mem);
	return err;
}

static u64 counter_ms(void)
{
	u64 count;

	isb();
	count = read_sysreg(cntpct_el0);
	return count / (read_sysreg(cntfrq_el0) / 1000);
}

u64 arch_time_ms(void)
{
	return counter_ms();
}

int arch_cpu_stop(struct per_cpu *target)
{
	u64 start = counter_ms(), sent = start, now;

	if (READ_ONCE(target->power) == CPU_PARKED)
		return 0;
	asm volatile("dsb ish" ::: "memory");
	gic_send_mgmt_sgi(target);
	while (READ_ONCE(target->power) != CPU_PARKED) {
		now = counter_ms();
		if (now - start >= STOP_TIMEOUT_MS)
			return -ETIMEDOUT;
		if (now - sent >= STOP_RESEND_MS) {
			gic_send_mgmt_sgi(target);
			sent = now;
		}
		cpu_relax();
	}
	return 0;
}

void arch_cpu_kick(struct per_cpu *target)
{
	gic_send_mgmt_sgi(target);
}

void arch_cpu_start(struct per_cpu *target, u64 entry)
{
	target->on_entry = entry;
	target->on_context = 0;
	asm volatile("dmb ish" ::: "memory");
	WRITE_ONCE(target->on_pending, 1);
	dsb_ish();
	gic_send_mgmt_sgi(target);
}
