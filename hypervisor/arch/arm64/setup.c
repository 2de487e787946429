/* SPDX-License-Identifier: MIT */
/*
 * arm64 set-up: the hypervisor's own EL2 tables (identity mapped: the image,
 * the debug UART and the GIC), the root cell's stage 2, and per-CPU traps.
 */
#include <asm/gicv3.h>
#include <asm/paging.h>
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/errno.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <jailhouse/header.h>

extern struct jailhouse_header hv_header;
extern u8 hv_vectors[];

static struct page_table el2_pt;
static u64 vtcr_value;
static unsigned int ipa_bits, pa_bits;

static unsigned int parange_bits(u64 parange)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return parange < ARRAY_SIZE(bits) ? bits[parange] : 48;
}

/*
 * Whether both ends of a region lie inside the address spaces stage 2
 * translates (IPA) and maps to (PA), without wrapping around 2^64.
 */
bool region_fits(const struct jailhouse_memory *mem)
{
	return mem->phys_start + mem->size >= mem->phys_start &&
	       mem->virt_start + mem->size >= mem->virt_start &&
	       mem->phys_start + mem->size <= 1ULL << pa_bits &&
	       mem->virt_start + mem->size <= 1ULL << ipa_bits;
}

struct address_bits address_bits(void)
{
	struct address_bits bits = { pa_bits, ipa_bits };

	return bits;
}

/*
 * Up to a 40-bit IPA space the stage-2 walk starts at level 1, from two
 * concatenated tables at 40 bits; beyond, at level 0.
 */
static unsigned int s2_start_level(void)
{
	return ipa_bits > 40 ? 0 : 1;
}

static unsigned int s2_root_pages(void)
{
	return ipa_bits == 40 ? 2 : 1;
}

struct page_table s2_table(u64 *root)
{
	struct page_table pt = { root, s2_start_level(), s2_root_pages() };

	return pt;
}

u64 *s2_root_alloc(void)
{
	return page_alloc_aligned(&mem_pool, s2_root_pages(), s2_root_pages());
}

u64 s2_attrs(u64 flags)
{
	u64 attrs = PTE_AF;

	if (flags & JAILHOUSE_MEM_READ)
		attrs |= S2_AP_READ;
	if (flags & JAILHOUSE_MEM_WRITE)
		attrs |= S2_AP_WRITE;
	if (flags & JAILHOUSE_MEM_IO)
		attrs |= S2_MEMATTR_DEVICE | S2_XN;
	else
		attrs |= S2_MEMATTR_NORMAL | PTE_SH_INNER;
	if (!(flags & JAILHOUSE_MEM_EXECUTE))
		attrs |= S2_XN;
	return attrs;
}

/* Root RAM at EL2 (identity): cell configurations are read in place. */
static int map_root_ram_el2(void)
{
	const struct jailhouse_memory *hv = &system_config->hypervisor_memory;
	const struct jailhouse_memory *mem =
		cell_mem_regions(&system_config->root_cell);
	unsigned int n;
	int err;

	for (n = 0; n < system_config->root_cell.num_memory_regions;
	     n++, mem++) {
		u64 start = mem->phys_start, end = start + mem->size;

		if (mem->flags & (JAILHOUSE_MEM_IO | JAILHOUSE_MEM_COMM_REGION))
			continue;
		if ((start | end) & HV_PAGE_OFFSET_MASK)
			continue;
		/* The hypervisor's own range is mapped already. */
		if (ranges_overlap(start, mem->size, hv->phys_start,
				   hv->size)) {
			if (start < hv->phys_start) {
				err = pt_map(&el2_pt, start, start,
					     hv->phys_start - start,
					     S1_NORMAL | S1_XN);
				if (err)
					return err;
			}
			if (end > hv->phys_start + hv->size) {
				start = hv->phys_start + hv->size;
				err = pt_map(&el2_pt, start, start, end - start,
					     S1_NORMAL | S1_XN);
				if (err)
					return err;
			}
			continue;
		}
		err = pt_map(&el2_pt, start, start, mem->size,
			     S1_NORMAL | S1_XN);
		if (err)
			return err;
	}
	return 0;
}

/* The redistributor frames from the first CPU's to the root's highest CPU's. */
u64 gicr_size(void)
{
	u64 cpus = cell_cpu_mask(&system_config->root_cell);
	unsigned int frames = cpus ? 64 - __builtin_clzll(cpus) : 1;

	return (u64)frames * gicr_frame_size();
}

static int map_device_el2(u64 base, u64 size)
{
	int err;

	base = ALIGN_DOWN(base, HV_PAGE_SIZE);
	size = ALIGN_UP(size, HV_PAGE_SIZE);
	err = pt_map(&el2_pt, base, base, size, S1_DEVICE);
	if (!err)
		remap_pool.used += size / HV_PAGE_SIZE;
	return err;
}

static bool root_below(u64 limit)
{
	const struct jailhouse_memory *mem =
		cell_mem_regions(&system_config->root_cell);
	unsigned int n;

	for (n = 0; n < system_config->root_cell.num_memory_regions; n++, mem++)
		if (!(mem->flags & JAILHOUSE_MEM_COMM_REGION) &&
		    mem->virt_start + mem->size > limit)
			return false;
	return true;
}

/* Every region the hypervisor maps must lie inside the address spaces. */
static int check_memory_fits(void)
{
	const struct jailhouse_memory *mem =
		cell_mem_regions(&system_config->root_cell);
	unsigned int n;

	for (n = 0; n < system_config->root_cell.num_memory_regions;
	     n++, mem++) {
		if (!(mem->flags & JAILHOUSE_MEM_COMM_REGION) &&
		    !region_fits(mem)) {
			printk("ERROR: root cell region %u (0x%llx, size "
			       "0x%llx) is not inside the %u-bit physical "
			       "address space\n",
			       n, mem->phys_start, mem->size, pa_bits);
			return -ERANGE;
		}
	}
	if (!region_fits(&system_config->hypervisor_memory)) {
		printk("ERROR: hypervisor memory is not inside the physical "
		       "address space\n");
		return -ERANGE;
	}
	return 0;
}

/*
 * The devices EL2 reaches before the final tables: the debug UART, the
 * distributor and the first redistributor frame, and the PCI ECAM.
 */
static int map_devices_el2(bool gic_v3)
{
	const struct jailhouse_console *con = &system_config->debug_console;
	u64 gicr = system_config->platform_info.arm.gicr_base;
	int err;

	if (con->type == JAILHOUSE_CON_TYPE_PL011 &&
	    (con->flags & JAILHOUSE_CON_ACCESS_MMIO) && con->address) {
		err = map_device_el2(con->address, HV_PAGE_SIZE);
		if (err)
			return err;
		hv_header.debug_console_base = con->address;
	}
	/* The other redistributor frames follow once the first one tells
	 * how far apart they are. */
	if (gic_v3) {
		err = map_device_el2(system_config->platform_info.arm.gicd_base,
				     GICD_SIZE);
		if (!err)
			err = map_device_el2(gicr, GICR_RD_FRAME);
		if (err)
			return err;
	}
	/* The root's accesses to the configuration space of a device a cell
	 * owns are done from here (core/pci.c). */
	if (system_config->platform_info.pci_mmconfig_base) {
		u64 ecam = system_config->platform_info.pci_mmconfig_base;

		err = pt_map(&el2_pt, ecam, ecam,
			     ((u64)system_config->platform_info
				      .pci_mmconfig_end_bus +
			      1) << 20,
			     S1_DEVICE);
		if (err)
			return err;
	}
	return 0;
}

int arch_init_early(void)
{
	const struct jailhouse_memory *hv = &system_config->hypervisor_memory;
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 gicr = system_config->platform_info.arm.gicr_base;
	bool gic_v3 = system_config->platform_info.arm.gic_version == 3;
	unsigned int t0sz, sl0;
	int err;

	pa_bits = parange_bits(mmfr0 & ID_AA64MMFR0_PARANGE_MASK);
	/*
	 * Stage 2, 4 KiB granule: an IPA space of 40 bits when the root's
	 * regions all lie below 1 TiB, so that every stage-2 walk (every TLB
	 * miss of a cell) reads one table fewer than from level 0; else the
	 * PA size, at most 48 bits. Cells' regions must then fit it too.
	 */
	ipa_bits = pa_bits > 48 ? 48 : pa_bits;
	if (ipa_bits > 40 && root_below(1ULL << 40))
		ipa_bits = 40;
	err = check_memory_fits();
	if (err)
		return err;

	/* EL2 stage 1: T0SZ 25, the walk starts at level 1 (see TCR_EL2). */
	el2_pt.root = page_alloc(&mem_pool);
	el2_pt.start_level = 1;
	el2_pt.root_pages = 1;
	if (!el2_pt.root)
		return -ENOMEM;
	err = pt_map(&el2_pt, hv->phys_start, hv->phys_start, hv->size,
		     S1_NORMAL);
	if (!err)
		err = map_devices_el2(gic_v3);
	if (!err)
		err = gic_init_early();
	if (!err)
		err = map_root_ram_el2();
	if (err)
		return err;
	asm volatile("dsb ish" ::: "memory");
	/* Use the final tables on this CPU right away (the UART is there). */
	write_sysreg((u64)el2_pt.root, ttbr0_el2);
	isb();
	asm volatile("tlbi alle2; dsb nsh; isb" ::: "memory");

	/* Only the final tables map the redistributor. New entries only:
	 * nothing valid changes under the live tables. */
	if (gic_v3) {
		gic_probe_frame_size(gicr);
		err = map_device_el2(gicr + GICR_RD_FRAME,
				     gicr_size() - GICR_RD_FRAME);
		if (err)
			return err;
		asm volatile("dsb ish; isb" ::: "memory");
	}

	t0sz = 64 - ipa_bits;
	sl0 = s2_start_level() == 0 ? 2 : 1; /* VTCR_EL2.SL0 encoding */
	vtcr_value = VTCR_RES1 | (mmfr0 & VTCR_PS_MASK) << VTCR_PS_SHIFT |
		     VTCR_SH0_INNER | VTCR_ORGN0_WBWA | VTCR_IRGN0_WBWA |
		     (u64)sl0 << VTCR_SL0_SHIFT | t0sz;
	return 0;
}

struct root_hole {
	u64 start;
	u64 size;
};

/*
 * Map one root region, leaving out what the root must not reach through a
 * region of its own: the hypervisor's memory; the distributor, every access
 * to which has to trap into gicd_access() (a root config may cover the GIC
 * with one large device region); and the redistributors, mapped on their
 * own below so that a cell can take a CPU's frame out.
 */
static int map_root_region(struct page_table *s2, u64 ipa, u64 pa, u64 size,
			   u64 attrs)
{
	const struct jailhouse_memory *hv = &system_config->hypervisor_memory;
	const struct root_hole holes[] = {
		{ hv->phys_start, hv->size },
		{ system_config->platform_info.arm.gicd_base, GICD_SIZE },
		{ system_config->platform_info.arm.gicr_base, gicr_size() },
	};
	unsigned int n;
	int err;

	for (n = 0; n < ARRAY_SIZE(holes); n++) {
		u64 hole_end = holes[n].start + holes[n].size;

		if (!ranges_overlap(pa, size, holes[n].start, holes[n].size))
			continue;
		if (pa < holes[n].start) {
			err = map_root_region(s2, ipa, pa, holes[n].start - pa,
					      attrs);
			if (err)
				return err;
		}
		if (pa + size > hole_end)
			return map_root_region(s2, ipa + (hole_end - pa),
					       hole_end, pa + size - hole_end,
					       attrs);
		return 0;
	}
	return pt_map(s2, ipa, pa, size, attrs);
}

int arch_cell_init(struct cell *cell)
{
	const struct jailhouse_memory *mem = cell_mem_regions(cell->config);
	struct page_table s2;
	unsigned int n;
	u64 console;
	int err;

	printk("Stage 2: %u-bit guest-physical, %u-bit physical, walk from "
	       "level %u\n",
	       ipa_bits, pa_bits, s2_start_level());
	s2 = s2_table(s2_root_alloc());
	if (!s2.root)
		return -ENOMEM;
	cell->s2_root = s2.root;

	for (n = 0; n < cell->config->num_memory_regions; n++, mem++) {
		u64 attrs;

		if (mem->flags & JAILHOUSE_MEM_COMM_REGION)
			continue;
		if ((mem->phys_start | mem->virt_start | mem->size) &
		    HV_PAGE_OFFSET_MASK) {
			printk("Region %u: sub-page regions unsupported, "
			       "skipped\n",
			       n);
			continue;
		}
		if (mem->virt_start + mem->size > (1ULL << ipa_bits)) {
			printk("Region %u beyond the %u-bit IPA space\n", n,
			       ipa_bits);
			return -ERANGE;
		}
		attrs = s2_attrs(mem->flags);
		err = map_root_region(&s2, mem->virt_start, mem->phys_start,
				      mem->size, attrs);
		if (err)
			return err;
	}

	/* The console ring stays readable for the root, nothing else of the
	 * hypervisor is visible: any other access is a stage-2 fault. */
	console = (u64)&hv_console;
	err = pt_map(&s2, console, console, JAILHOUSE_VIRT_CONSOLE_AREA,
		     PTE_AF | S2_AP_READ | S2_MEMATTR_NORMAL | PTE_SH_INNER |
			     S2_XN);
	if (err)
		return err;

	/*
	 * The redistributors stay mapped: each CPU drives its own (a CPU
	 * given to another cell takes its frame out, see arch/arm64/cell.c).
	 * The distributor is shared and therefore left out, so every access
	 * to it traps and goes through gicd_access().
	 */
	err = pt_map(&s2, system_config->platform_info.arm.gicr_base,
		     system_config->platform_info.arm.gicr_base, gicr_size(),
		     PTE_AF | S2_AP_READ | S2_AP_WRITE | S2_MEMATTR_DEVICE |
			     S2_XN);
	if (err)
		return err;
	gic_cell_init(cell);
	asm volatile("dsb ish" ::: "memory");
	return 0;
}

int arch_cpu_init(struct per_cpu *pc)
{
	int err;

	pc->mpidr = read_sysreg(mpidr_el1) & MPIDR_CPUID_MASK;

	/* Leave the bootstrap tables for the final ones (both identity). */
	write_sysreg((u64)el2_pt.root, ttbr0_el2);
	isb();
	asm volatile("tlbi alle2; dsb nsh; isb" ::: "memory");

	/* Fails before it changes anything, and before our vectors are in:
	 * the error path returns to Linux with the stub still installed. */
	err = gic_cpu_init(pc);
	if (err)
		return err;
	write_sysreg(vtcr_value, vtcr_el2);
	write_sysreg((u64)pc->cell->s2_root |
			     ((u64)pc->cell->id << VTTBR_VMID_SHIFT),
		     vttbr_el2);
	write_sysreg((u64)hv_vectors, vbar_el2);
	isb();
	/* From here on physical interrupts come to EL2, and SMCs and
	 * ACTLR_EL1 accesses trap. */
	write_sysreg(HCR_VM | HCR_IMO | HCR_FMO | HCR_TSC | HCR_TAC | HCR_RW,
		     hcr_el2);
	isb();
	asm volatile("tlbi vmalls12e1; dsb nsh; isb" ::: "memory");
	return 0;
}

void arch_cpu_leave(struct per_cpu *pc, struct frame *frame)
{
	gic_cpu_shutdown(pc);
	write_sysreg(HCR_RW, hcr_el2);
	isb();
	asm volatile("tlbi vmalls12e1; dsb nsh; isb" ::: "memory");
	write_sysreg(0, vttbr_el2);
	isb();
	hv_return_to_linux(frame, pc->stub_vbar);
}
