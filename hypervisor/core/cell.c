/* SPDX-License-Identifier: MIT */
/*
 * Cell management on behalf of the root: create, set loadable (shutdown),
 * start, destroy. All of it runs on a root CPU inside a hypercall, one
 * management call at a time (cell_lock). Architecture work (stage 2, GIC,
 * stopping CPUs) goes through the arch_cell_* / arch_cpu_* interface.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/comm.h>
#include <hv/control.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/paging.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <jailhouse/comm-region.h>
#include <jailhouse/header.h>
#include <jailhouse/hypercall.h>

/* A cell config larger than this is refused (the lab's are < 1 KiB). */
#define CELL_CONFIG_MAX_PAGES 16

extern struct jailhouse_header hv_header;

static struct cell cells[HV_MAX_CELLS];
static spinlock_t cell_lock;

struct cell *cell_by_id(unsigned int id)
{
	if (id == 0)
		return &root_cell;
	if (id < HV_MAX_CELLS && cells[id].config)
		return &cells[id];
	return NULL;
}

/*
 * Root RAM is mapped at EL2 (identity), so the configuration can be read
 * in place once we know it lies entirely in root-owned RAM.
 */
static bool in_root_ram(u64 addr, u64 size)
{
	const struct jailhouse_memory *mem = cell_mem_regions(root_cell.config);
	unsigned int n, id;

	if (addr + size < addr)
		return false;
	for (n = 0; n < root_cell.config->num_memory_regions; n++, mem++) {
		if (mem->flags & (JAILHOUSE_MEM_IO | JAILHOUSE_MEM_COMM_REGION))
			continue;
		if (addr >= mem->phys_start &&
		    addr + size <= mem->phys_start + mem->size)
			goto found;
	}
	return false;
found:
	for (id = 1; id < HV_MAX_CELLS; id++) {
		const struct jailhouse_memory *m;

		if (!cells[id].config)
			continue;
		m = cell_mem_regions(cells[id].config);
		for (n = 0; n < cells[id].config->num_memory_regions; n++, m++)
			if (!(m->flags & (JAILHOUSE_MEM_ROOTSHARED |
					  JAILHOUSE_MEM_COMM_REGION)) &&
			    ranges_overlap(addr, size, m->phys_start, m->size))
				return false;
	}
	return true;
}

static void set_state(struct cell *cell, u32 state)
{
	cell->state = state;
	if (cell->comm)
		cell->comm->cell_state = state;
}

static void fill_comm_region(struct cell *cell)
{
	struct jailhouse_comm_region *c = cell->comm;
	const struct jailhouse_system *sys = system_config;

	memcpy(c->signature, COMM_REGION_MAGIC, sizeof(c->signature));
	c->revision = COMM_REGION_ABI_REVISION;
	c->flags = cell->config->flags;
	c->console = cell->config->console;
	c->pci_mmconfig_base = sys->platform_info.pci_mmconfig_base;
	c->gic_version = sys->platform_info.arm.gic_version;
	c->gicd_base = sys->platform_info.arm.gicd_base;
	c->gicc_base = sys->platform_info.arm.gicc_base;
	c->gicr_base = sys->platform_info.arm.gicr_base;
	c->vpci_irq_base = cell->config->vpci_irq_base;
}

static void reset_comm_region(struct cell *cell)
{
	memset(cell->comm, 0, HV_PAGE_SIZE);
	fill_comm_region(cell);
}

/* Whether the range [start, start + size) ends before 2^64. */
static bool ends_in_range(u64 start, u64 size)
{
	return start + size >= start;
}

/*
 * Regions of a new cell: none may wrap around the end of the address space
 * (every later check and the page table code compute start + size), and
 * none may reach memory another cell holds, unless both only share it
 * with the root. Comm regions are the hypervisor's own pages.
 */
static long check_regions(const struct jailhouse_cell_desc *c)
{
	const struct jailhouse_memory *mem = cell_mem_regions(c);
	unsigned int n, id, k;

	for (n = 0; n < c->num_memory_regions; n++, mem++) {
		if (!ends_in_range(mem->phys_start, mem->size) ||
		    !ends_in_range(mem->virt_start, mem->size)) {
			printk("Cell create: region %u (0x%llx -> 0x%llx, size "
			       "0x%llx) wraps around the end of the address "
			       "space\n",
			       n, mem->phys_start, mem->virt_start, mem->size);
			return -EINVAL;
		}
	}
	mem = cell_mem_regions(c);
	for (n = 0; n < c->num_memory_regions; n++, mem++) {
		if (mem->flags & JAILHOUSE_MEM_COMM_REGION)
			continue;
		for (id = 1; id < HV_MAX_CELLS; id++) {
			const struct jailhouse_cell_desc *other =
				cells[id].config;
			const struct jailhouse_memory *m;

			if (!other)
				continue;
			m = cell_mem_regions(other);
			for (k = 0; k < other->num_memory_regions; k++, m++) {
				if (m->flags & JAILHOUSE_MEM_COMM_REGION ||
				    (m->flags & mem->flags &
				     JAILHOUSE_MEM_ROOTSHARED) ||
				    !ranges_overlap(mem->phys_start, mem->size,
						    m->phys_start, m->size))
					continue;
				printk("Cell create: region %u (0x%llx-0x%llx) "
				       "overlaps memory of cell \"%s\"\n",
				       n, mem->phys_start,
				       mem->phys_start + mem->size - 1,
				       other->name);
				return -EBUSY;
			}
		}
	}
	return 0;
}

/* Hold @pc for a management step (see struct per_cpu, held). */
static void hold_cpu(struct per_cpu *pc)
{
	spin_lock(&pc->control_lock);
	pc->held = 1;
	/* A CPU_ON the parked CPU has not taken yet is dropped. */
	if (pc->power == CPU_PARKED)
		pc->on_pending = 0;
	spin_unlock(&pc->control_lock);
}

/* Let @pc go: a CPU_ON may wake it again. */
static void release_cpu(struct per_cpu *pc)
{
	spin_lock(&pc->control_lock);
	pc->held = 0;
	spin_unlock(&pc->control_lock);
}

static void release_cpus(u64 mask)
{
	unsigned int n;

	for_each_cpu (n, mask)
		release_cpu(per_cpu(n));
}

/* Hold @pc if it is parked with no CPU_ON on its way; whether it is held. */
static bool hold_if_parked(struct per_cpu *pc)
{
	bool parked;

	spin_lock(&pc->control_lock);
	parked = pc->power == CPU_PARKED && !pc->on_pending;
	if (parked)
		pc->held = 1;
	spin_unlock(&pc->control_lock);
	return parked;
}

/*
 * Hold the root CPUs a new cell takes. Each must still be parked, with no
 * CPU_ON of the root on its way, or the cell cannot have it.
 */
static long hold_parked_cpus(u64 mask)
{
	unsigned int n;

	for_each_cpu (n, mask) {
		if (hold_if_parked(per_cpu(n)))
			continue;
		release_cpus(mask & (BIT(n) - 1));
		printk("Cell create: CPU %u is still online in the root cell\n",
		       n);
		return -EBUSY;
	}
	return 0;
}

static long check_config(const struct jailhouse_cell_desc *c, u64 size)
{
	unsigned int n, id;
	long err;

	if (memcmp(c->signature, JAILHOUSE_CELL_DESC_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE) ||
	    c->revision != JAILHOUSE_CONFIG_REVISION) {
		printk("Cell create: not a cell configuration of revision %u\n",
		       JAILHOUSE_CONFIG_REVISION);
		return -EINVAL;
	}
	if (jailhouse_cell_config_size(c) != size || !c->name[0])
		return -EINVAL;
	/* Every later print of the name reads up to its NUL. */
	if (c->name[JAILHOUSE_CELL_NAME_MAXLEN]) {
		printk("Cell create: the name fills all %u bytes; it must end with a NUL within them\n",
		       JAILHOUSE_CELL_NAME_LEN);
		return -EINVAL;
	}
	if (c->cpu_set_size > HV_MAX_CPUS / 8)
		return -EINVAL;
	for (id = 1; id < HV_MAX_CELLS; id++)
		if (cells[id].config && !memcmp(cells[id].config->name, c->name,
						JAILHOUSE_CELL_NAME_LEN)) {
			printk("Cell create: a cell named \"%s\" exists\n",
			       cells[id].config->name);
			return -EEXIST;
		}
	err = check_regions(c);
	if (!err)
		err = pci_check_cell(c);
	if (err)
		return err;
	for (n = 0; n < c->cpu_set_size * 8; n++) {
		struct per_cpu *pc;

		if (!cell_has_cpu(c, n))
			continue;
		if (n >= hv_header.max_cpus ||
		    !(root_cell.cpu_mask & (1ULL << n))) {
			printk("Cell create: CPU %u is not the root cell's\n",
			       n);
			return -EBUSY;
		}
		pc = per_cpu(n);
		/* Linux must have taken it offline: it waits in CPU_OFF. */
		if (READ_ONCE(pc->power) != CPU_PARKED ||
		    READ_ONCE(pc->on_pending)) {
			printk("Cell create: CPU %u is still online in the "
			       "root cell\n",
			       n);
			return -EBUSY;
		}
	}
	return 0;
}

/* -EBUSY while a cell other than @except is running/locked. */
static long check_unlocked(const struct cell *except, const char *what)
{
	const struct cell *locker = comm_locking_cell(except);

	if (!locker)
		return 0;
	printk("%s refused: cell \"%s\" is running/locked\n", what,
	       locker->config->name);
	return -EBUSY;
}

static void notify_reconfig(void);

/*
 * Copy the root's cell configuration at @config_address into hypervisor
 * pages and check the copy: the root may change the original.
 */
static long copy_cell_config(u64 config_address,
			     struct jailhouse_cell_desc **copy, u64 *pages)
{
	const struct jailhouse_cell_desc *src =
		(const struct jailhouse_cell_desc *)config_address;
	u64 size;
	long err;

	if (!in_root_ram(config_address, sizeof(*src)))
		return -EINVAL;
	size = jailhouse_cell_config_size(src);
	*pages = ALIGN_UP(size, HV_PAGE_SIZE) / HV_PAGE_SIZE;
	if (*pages > CELL_CONFIG_MAX_PAGES)
		return -E2BIG;
	if (!in_root_ram(config_address, size))
		return -EINVAL;
	*copy = page_alloc_n(&mem_pool, *pages);
	if (!*copy)
		return -ENOMEM;
	memcpy(*copy, src, size);
	err = check_config(*copy, size);
	if (err)
		page_free_n(&mem_pool, *copy, *pages);
	return err;
}

/*
 * The CPUs of @mask change hands held and parked, with no failure and no
 * statistics of their previous owner; they stay held until released.
 */
static void hand_cpus_to(struct cell *owner, u64 mask)
{
	unsigned int n;

	for_each_cpu (n, mask) {
		struct per_cpu *pc = per_cpu(n);

		pc->cell = owner;
		pc->failed = false;
		memset(pc->stats, 0, sizeof(pc->stats));
	}
}

long cell_create(u64 config_address)
{
	struct jailhouse_cell_desc *copy;
	struct cell *cell;
	u64 pages, mask;
	unsigned int id;
	long err;

	spin_lock(&cell_lock);
	/* Disable has begun on some root CPU: it found no cell but the root. */
	if (hv_shutting_down) {
		err = -EBUSY;
		goto out;
	}
	err = check_unlocked(NULL, "Cell create");
	if (!err)
		err = copy_cell_config(config_address, &copy, &pages);
	if (err)
		goto out;
	for (id = 1; id < HV_MAX_CELLS; id++)
		if (!cells[id].config)
			break;
	if (id == HV_MAX_CELLS) {
		err = -ENOMEM;
		goto out_free;
	}
	cell = &cells[id];
	memset(cell, 0, sizeof(*cell));
	cell->id = id;
	copy->id = id;
	cell->config = copy;
	cell->config_pages = pages;
	mask = cell_cpu_mask(copy);
	cell->cpu_mask = mask;

	/* From here on no root CPU_ON may wake the CPUs we take. */
	err = hold_parked_cpus(mask);
	if (!err) {
		err = arch_cell_create(cell);
		if (err) {
			arch_cell_destroy(cell);
			release_cpus(mask);
		}
	}
	if (err) {
		memset(cell, 0, sizeof(*cell));
		goto out_free;
	}
	fill_comm_region(cell);
	set_state(cell, JAILHOUSE_CELL_SHUT_DOWN);
	/* The CPUs stay held until the cell starts. */
	root_cell.cpu_mask &= ~mask;
	hand_cpus_to(cell, mask);
	num_cells++;
	printk("Created cell \"%s\" (id %u)\n", copy->name, id);
	notify_reconfig();
	spin_unlock(&cell_lock);
	return id;

out_free:
	page_free_n(&mem_pool, copy, pages);
out:
	spin_unlock(&cell_lock);
	if (err)
		printk("Cell create failed: %ld\n", err);
	return err;
}

/*
 * Stop every CPU of @cell before a management step. All are held first and
 * only then stopped one by one: a CPU still running the cell can then no
 * longer wake one already stopped with PSCI CPU_ON. A CPU that does not
 * park in time is reported and marked failed, and the step is refused
 * (-ETIMEDOUT): the root CPU never waits for it for ever.
 */
static long suspend_cpus(struct cell *cell)
{
	unsigned int n;
	long err = 0;

	for_each_cpu (n, cell->cpu_mask)
		hold_cpu(per_cpu(n));
	for_each_cpu (n, cell->cpu_mask) {
		if (!arch_cpu_stop(per_cpu(n)))
			continue;
		printk("Cell \"%s\": CPU %u did not stop (no answer to the "
		       "management interrupt): request refused\n",
		       cell->config->name, n);
		per_cpu(n)->failed = true;
		set_state(cell, JAILHOUSE_CELL_FAILED);
		err = -ETIMEDOUT;
	}
	return err;
}

/*
 * Ask a running @cell before stopping it (core/comm.c). One that does not
 * answer in time is stopped and failed here, and the request is refused:
 * the root may then destroy it, or load it again, without asking.
 */
static long ask_shutdown(struct cell *cell)
{
	long err = comm_request_shutdown(cell);

	if (err == -ETIMEDOUT) {
		suspend_cpus(cell);
		set_state(cell, JAILHOUSE_CELL_FAILED);
	}
	return err;
}

/*
 * After a cell was created or destroyed, every other running cell is told
 * and answers; one that does not answer in time is failed as above.
 */
static void notify_reconfig(void)
{
	struct cell *cell;
	unsigned int id;

	for (id = 1; id < HV_MAX_CELLS; id++) {
		cell = cell_by_id(id);
		if (cell && comm_notify_reconfig(cell) == -ETIMEDOUT) {
			suspend_cpus(cell);
			set_state(cell, JAILHOUSE_CELL_FAILED);
		}
	}
}

/*
 * The steps every management call on an existing cell begins with, under
 * cell_lock: find the cell, check that no other cell holds a lock when
 * @locked_check names the call (NULL: no such check), ask the cell, and stop
 * all its CPUs. On success *@cellp is the cell, stopped.
 */
static long cell_management_prologue(unsigned int id, const char *locked_check,
				     struct cell **cellp)
{
	struct cell *cell = id ? cell_by_id(id) : NULL;
	long err;

	if (!cell)
		return -ENOENT;
	if (locked_check) {
		err = check_unlocked(cell, locked_check);
		if (err)
			return err;
	}
	err = ask_shutdown(cell);
	if (!err)
		err = suspend_cpus(cell);
	*cellp = cell;
	return err;
}

long cell_set_loadable(unsigned int id)
{
	struct cell *cell;
	long err = 0;

	spin_lock(&cell_lock);
	/* The CPUs stay held: nothing runs in a cell that is shut down. */
	err = cell_management_prologue(id, NULL, &cell);
	if (err)
		goto out;
	reset_comm_region(cell);
	set_state(cell, JAILHOUSE_CELL_SHUT_DOWN);
	if (!cell->loadable) {
		err = arch_cell_set_loadable(cell, true);
		if (!err)
			cell->loadable = true;
	}
out:
	spin_unlock(&cell_lock);
	return err;
}

long cell_start(unsigned int id)
{
	struct cell *cell;
	unsigned int n;
	bool first = true;
	long err = 0;

	spin_lock(&cell_lock);
	err = cell_management_prologue(id, NULL, &cell);
	if (err)
		goto out;
	if (cell->loadable) {
		err = arch_cell_set_loadable(cell, false);
		if (err)
			goto out;
		cell->loadable = false;
	}
	cell->line_len = 0;
	cell->refusals = 0;
	cell->ignored_writes = 0;
	/* Nothing a previous run left in the comm page reaches this one. */
	reset_comm_region(cell);
	set_state(cell, JAILHOUSE_CELL_RUNNING);
	printk("Started cell \"%s\"\n", cell->config->name);
	/* The first CPU starts at the reset address, the others wait for
	 * the cell's own PSCI CPU_ON. */
	for_each_cpu (n, cell->cpu_mask) {
		struct per_cpu *pc = per_cpu(n);

		pc->failed = false;
		spin_lock(&pc->control_lock);
		pc->held = 0;
		if (first)
			arch_cpu_start(pc, cell->config->cpu_reset_address);
		spin_unlock(&pc->control_lock);
		first = false;
	}
out:
	spin_unlock(&cell_lock);
	return err;
}

long cell_destroy(unsigned int id)
{
	struct cell *cell;
	long err = 0;

	spin_lock(&cell_lock);
	err = cell_management_prologue(id, "Cell destroy", &cell);
	if (err)
		goto out;
	printk("Closing cell \"%s\"\n", cell->config->name);
	arch_cell_destroy(cell);
	/*
	 * Parked and held, the CPUs go back to the root, which wakes them
	 * with CPU_ON: nothing of the cell runs on them again.
	 */
	hand_cpus_to(&root_cell, cell->cpu_mask);
	root_cell.cpu_mask |= cell->cpu_mask;
	release_cpus(cell->cpu_mask);
	page_free_n(&mem_pool, (void *)cell->config, cell->config_pages);
	memset(cell, 0, sizeof(*cell));
	num_cells--;
	notify_reconfig();
out:
	spin_unlock(&cell_lock);
	return err;
}

/*
 * The first step of disable: refused while a non-root cell exists. Under
 * cell_lock, so that no create on another root CPU slips in between.
 */
long cell_begin_shutdown(void)
{
	long err = 0;

	spin_lock(&cell_lock);
	if (num_cells > 1)
		err = -EBUSY;
	else if (!hv_shutting_down) {
		hv_shutting_down = true;
		printk("Shutting down hypervisor\n");
	}
	spin_unlock(&cell_lock);
	return err;
}

long cell_get_state(unsigned int id)
{
	struct cell *cell = cell_by_id(id);

	if (!cell)
		return -ENOENT;
	return id ? comm_cell_state(cell) : JAILHOUSE_CELL_RUNNING;
}

/*
 * The cell's own power-off or reset: never the machine's. Its other CPUs are
 * kicked and park on their way out of EL2 (arch_handle_trap parks the CPUs
 * of a cell that is shut down). A reset waits for them, like a stop by the
 * root, and then starts the first CPU at the reset address, like
 * `jailhouse cell start`. The root's management calls win: while the root
 * holds this CPU it is stopping the cell, which then stays as the root
 * leaves it.
 */
void cell_power_off(struct per_cpu *pc, bool restart)
{
	struct cell *cell = pc->cell;
	unsigned int n, first;

	while (!spin_trylock(&cell_lock))
		if (READ_ONCE(pc->held))
			return;
	first = next_cpu(cell->cpu_mask, 0);
	set_state(cell, JAILHOUSE_CELL_SHUT_DOWN);
	printk("Cell \"%s\" CPU %u: PSCI %s: cell %s\n", cell->config->name,
	       pc->cpu_id, restart ? "SYSTEM_RESET" : "SYSTEM_OFF",
	       restart ? "restarts" : "shut down");
	for_each_cpu (n, cell->cpu_mask) {
		struct per_cpu *t = per_cpu(n);

		if (t == pc)
			continue;
		if (!restart) {
			arch_cpu_kick(t);
			continue;
		}
		if (arch_cpu_stop(t)) {
			printk("Cell \"%s\": CPU %u did not stop for the "
			       "reset: cell failed\n",
			       cell->config->name, n);
			t->failed = true;
			set_state(cell, JAILHOUSE_CELL_FAILED);
			restart = false;
		}
	}
	if (restart) {
		/* No CPU_ON of the old run may wake a sibling. */
		for_each_cpu (n, cell->cpu_mask) {
			struct per_cpu *t = per_cpu(n);

			if (t == pc)
				continue;
			spin_lock(&t->control_lock);
			t->on_pending = 0;
			spin_unlock(&t->control_lock);
		}
		set_state(cell, JAILHOUSE_CELL_RUNNING);
		spin_lock(&per_cpu(first)->control_lock);
		arch_cpu_start(per_cpu(first), cell->config->cpu_reset_address);
		spin_unlock(&per_cpu(first)->control_lock);
	}
	spin_unlock(&cell_lock);
}

/* Called with line_lock held. */
static void cell_console_flush(struct cell *cell)
{
	cell->line[cell->line_len] = 0;
	printk("[%s] %s\n", cell->config->name, cell->line);
	cell->line_len = 0;
}

void cell_console_putc(struct cell *cell, char c)
{
	if (c == '\r')
		return;
	spin_lock(&cell->line_lock);
	if (c == '\n') {
		cell_console_flush(cell);
	} else {
		/* One byte stays free for the terminating NUL. A full line is
		 * printed before the next character goes in, so no count the
		 * cell can reach indexes past the buffer. */
		if (cell->line_len >= HV_CELL_LINE_LEN - 1)
			cell_console_flush(cell);
		cell->line[cell->line_len++] = c;
	}
	spin_unlock(&cell->line_lock);
}

void cell_refused(struct per_cpu *pc, const char *fmt, ...)
{
	struct cell *cell = pc->cell;
	struct va_format reason;
	__builtin_va_list ap;
	unsigned int n;

	pc->failed = true;
	set_state(cell, JAILHOUSE_CELL_FAILED);
	if (__atomic_fetch_add(&cell->refusals, 1, __ATOMIC_RELAXED) == 0) {
		__builtin_va_start(ap, fmt);
		reason.fmt = fmt;
		reason.ap = &ap;
		printk("Cell \"%s\" CPU %u: %pV: cell stopped, state failed\n",
		       cell->config->name, pc->cpu_id, &reason);
		__builtin_va_end(ap);
	}
	/* The others stop too, at once, not at their next exit. */
	for_each_cpu (n, cell->cpu_mask)
		if (per_cpu(n) != pc)
			arch_cpu_kick(per_cpu(n));
}

void cell_ignored_write(struct per_cpu *pc, const char *fmt, ...)
{
	struct cell *cell = pc->cell;
	struct va_format what;
	__builtin_va_list ap;

	if (__atomic_fetch_add(&cell->ignored_writes, 1, __ATOMIC_RELAXED))
		return;
	__builtin_va_start(ap, fmt);
	what.fmt = fmt;
	what.ap = &ap;
	printk("Cell \"%s\" CPU %u: %pV (further such writes are not "
	       "logged)\n",
	       cell->config->name, pc->cpu_id, &what);
	__builtin_va_end(ap);
}
