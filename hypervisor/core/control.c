/* SPDX-License-Identifier: MIT */
/* Hypercalls of the root cell. */
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/errno.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <jailhouse/header.h>
#include <jailhouse/hypercall.h>

extern struct jailhouse_header hv_header;

volatile bool hv_shutting_down;

void __attribute__((noreturn))
hv_cpu_leave(struct per_cpu *pc, struct frame *frame);

static long hypervisor_get_info(u64 type)
{
	switch (type) {
	case JAILHOUSE_INFO_MEM_POOL_SIZE:
		return mem_pool.pages;
	case JAILHOUSE_INFO_MEM_POOL_USED:
		return mem_pool.used;
	case JAILHOUSE_INFO_REMAP_POOL_SIZE:
		return remap_pool.pages;
	case JAILHOUSE_INFO_REMAP_POOL_USED:
		return remap_pool.used;
	case JAILHOUSE_INFO_NUM_CELLS:
		return num_cells;
	default:
		return -EINVAL;
	}
}

#ifdef HV_TEST_HOOKS
/*
 * Test-only (TEST_HOOKS=1 builds): the calling cell CPU stays at EL2 with
 * interrupts masked for @ms (at most 60 s), the way a CPU stuck in the
 * hypervisor would, so that a suite can show the root's bounded wait for a
 * CPU that does not answer the stop request.
 */
#define HC_TEST_STALL 0x7e57
#define TEST_STALL_MAX_MS 60000

static long test_stall(u64 ms)
{
	u64 start = arch_time_ms();

	if (ms > TEST_STALL_MAX_MS)
		ms = TEST_STALL_MAX_MS;
	while (arch_time_ms() - start < ms)
		cpu_relax();
	return 0;
}
#endif

/* A statistic as a result: 31 bits, so that no reader takes it for an errno. */
#define STAT_RESULT_MASK 0x7fffffff

static long cpu_get_info(u64 cpu, u64 type)
{
	struct per_cpu *pc;

	/* Any CPU the hypervisor manages, whichever cell has it now. */
	if (cpu >= hv_header.max_cpus || !cell_has_cpu(root_cell.config, cpu))
		return -EINVAL;
	pc = per_cpu(cpu);
	if (type == JAILHOUSE_CPU_INFO_STATE)
		return pc->failed ? JAILHOUSE_CPU_FAILED
				  : JAILHOUSE_CPU_RUNNING;
	if (type >= JAILHOUSE_CPU_INFO_STAT_BASE &&
	    type < JAILHOUSE_CPU_INFO_STAT_BASE + JAILHOUSE_NUM_CPU_STATS)
		return pc->stats[type - JAILHOUSE_CPU_INFO_STAT_BASE] &
		       STAT_RESULT_MASK;
	return -EINVAL;
}

long hypercall(struct per_cpu *pc, struct frame *frame, u64 code, u64 arg1,
	       u64 arg2)
{
	struct cell *cell = pc->cell;

	pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL]++;

	if (cell != &root_cell) {
		/* A non-root cell may only print (if its config allows). */
		if (code == JAILHOUSE_HC_DEBUG_CONSOLE_PUTC &&
		    (cell->config->flags &
		     JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED)) {
			cell_console_putc(cell, (char)arg1);
			return 0;
		}
#ifdef HV_TEST_HOOKS
		if (code == HC_TEST_STALL)
			return test_stall(arg1);
#endif
		cell_refused(pc, "hypercall %llu refused (root cell only)",
			     code);
		return -EPERM;
	}

	/* The steps that change cells, codes 1 to 4 of the ABI. */
	if (code >= JAILHOUSE_HC_CELL_CREATE &&
	    code <= JAILHOUSE_HC_CELL_DESTROY)
		pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT]++;
	switch (code) {
	case JAILHOUSE_HC_DISABLE:
		if (cell_begin_shutdown())
			return -EBUSY;
		hv_cpu_leave(pc, frame);
	case JAILHOUSE_HC_HYPERVISOR_GET_INFO:
		return hypervisor_get_info(arg1);
	case JAILHOUSE_HC_CELL_GET_STATE:
		return cell_get_state(arg1);
	case JAILHOUSE_HC_CPU_GET_INFO:
		return cpu_get_info(arg1, arg2);
	case JAILHOUSE_HC_DEBUG_CONSOLE_PUTC:
		printk("%c", (char)arg1);
		return 0;
	case JAILHOUSE_HC_CELL_CREATE:
		return cell_create(arg1);
	case JAILHOUSE_HC_CELL_START:
		return cell_start(arg1);
	case JAILHOUSE_HC_CELL_SET_LOADABLE:
		return cell_set_loadable(arg1);
	case JAILHOUSE_HC_CELL_DESTROY:
		return cell_destroy(arg1);
	default:
		return -ENOSYS;
	}
}
