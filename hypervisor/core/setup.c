/* SPDX-License-Identifier: MIT */
/*
 * Enabling the hypervisor. The driver enters the CPUs one after the other
 * (never two at once): the first one sets up the global state (console,
 * page pool, EL2 page tables, the root cell's stage 2), and every CPU then
 * installs itself. A CPU whose init fails returns the error to the driver
 * and stays with Linux; the driver then disables the CPUs already entered.
 */
#include <asm/platform.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <jailhouse/header.h>

#define HV_VERSION "0.1"
/* Device pages the EL2 address space may map. */
#define REMAP_POOL_PAGES 256

extern struct jailhouse_header hv_header;
extern u8 __core_end[];

struct jailhouse_system *system_config;
struct cell root_cell;
unsigned int num_cells;

static spinlock_t init_lock;
static bool init_done;
static int init_error;
static unsigned int entered_cpus;

struct per_cpu *per_cpu(unsigned int cpu)
{
	return (struct per_cpu *)(__core_end + (u64)cpu * HV_PERCPU_SIZE);
}

static int init_early(void)
{
	u64 hv_start = (u64)&hv_header, hv_end, cfg_end;
	const struct jailhouse_memory *hv_mem;
	int err;

	system_config = (struct jailhouse_system *)(__core_end +
						    (u64)hv_header.max_cpus *
							    HV_PERCPU_SIZE);
	hv_mem = &system_config->hypervisor_memory;

	/* The driver checked these too; a hypervisor trusts no caller. */
	if (memcmp(system_config->signature, JAILHOUSE_SYSTEM_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE) ||
	    system_config->revision != JAILHOUSE_CONFIG_REVISION ||
	    system_config->architecture != ARCH_CONFIG_ARCHITECTURE) {
		printk("ERROR: bad system configuration\n");
		return -EINVAL;
	}
	if (hv_mem->phys_start != hv_start) {
		printk("ERROR: running at %p but configured at 0x%llx\n",
		       (void *)hv_start, hv_mem->phys_start);
		return -EINVAL;
	}
	hv_end = hv_start + hv_mem->size;
	cfg_end = ALIGN_UP((u64)system_config +
				   jailhouse_system_config_size(system_config),
			   HV_PAGE_SIZE);
	if (cfg_end >= hv_end)
		return -ENOMEM;
	err = page_pool_init(&mem_pool, cfg_end,
			     (hv_end - cfg_end) / HV_PAGE_SIZE);
	if (err)
		return err;
	remap_pool.pages = REMAP_POOL_PAGES;

	root_cell.id = 0;
	root_cell.config = &system_config->root_cell;
	root_cell.cpu_mask = cell_cpu_mask(root_cell.config);
	num_cells = 1;

	err = arch_init_early();
	if (err)
		return err;
	console_init();
	printk("\nInitializing Jailhouse-compatible hypervisor %s on CPU %u\n",
	       HV_VERSION, this_cpu()->cpu_id);
	printk("Code location: %p, stub vectors: 0x%llx\n", (void *)hv_start,
	       hv_header.arm_linux_hyp_vectors);
	err = arch_cell_init(&root_cell);
	if (err)
		return err;
	printk("Page pool usage after root cell setup: mem %llu/%llu, "
	       "remap %llu/%llu\n",
	       mem_pool.used, mem_pool.pages, remap_pool.used,
	       remap_pool.pages);
	return 0;
}

/*
 * Called by the entry assembly on each CPU, MMU on, on this CPU's stack.
 * Returns 0 to resume Linux under the hypervisor, or an error to hand the
 * CPU back untouched. The caller's result goes into frame->x[0].
 */
long hv_entry(unsigned int cpu, struct per_cpu *pc, u64 stub_vbar,
	      struct frame *frame)
{
	int err;

	memset(pc, 0, sizeof(*pc));
	pc->cpu_id = cpu;
	pc->stub_vbar = stub_vbar;

	spin_lock(&init_lock);
	if (!init_done) {
		hv_header.arm_linux_hyp_vectors = stub_vbar;
		hv_shutting_down = false;
		init_error = init_early();
		init_done = true;
		if (init_error)
			printk("Hypervisor init failed: %d\n", init_error);
	}
	err = init_error;
	if (!err && !(root_cell.cpu_mask & (1ULL << cpu))) {
		printk("CPU %u is not in the root cell\n", cpu);
		err = -EINVAL;
	}
	if (!err) {
		pc->cell = &root_cell;
		err = arch_cpu_init(pc);
	}
	if (!err) {
		entered_cpus++;
		printk(" CPU %u... OK\n", cpu);
		if (entered_cpus == hv_header.online_cpus)
			printk("Activating hypervisor\n");
	} else {
		printk(" CPU %u... FAILED (%d)\n", cpu, err);
	}
	spin_unlock(&init_lock);

	frame->x[0] = err;
	return err;
}

/* DISABLE: this CPU leaves; the last one out resets the global state. */
void __attribute__((noreturn))
hv_cpu_leave(struct per_cpu *pc, struct frame *frame)
{
	spin_lock(&init_lock);
	printk(" Releasing CPU %u\n", pc->cpu_id);
	pc->power = CPU_LEFT;
	if (--entered_cpus == 0) {
		printk("Hypervisor disabled\n");
		init_done = false;
	}
	spin_unlock(&init_lock);
	frame->x[0] = 0;
	arch_cpu_leave(pc, frame);
}
