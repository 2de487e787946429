/* SPDX-License-Identifier: MIT */
/* Hypercalls of the root cell. */
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/errno.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <jailhouse/hypercall.h>

volatile bool hv_shutting_down;

void __attribute__((noreturn)) hv_cpu_leave(struct per_cpu *pc,
					    struct frame *frame);

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

static long cpu_get_info(u64 cpu, u64 type)
{
	struct per_cpu *pc;

	if (cpu >= HV_MAX_CPUS || !(root_cell.cpu_mask & (1ULL << cpu)))
		return -EINVAL;
	pc = per_cpu(cpu);
	if (type == JAILHOUSE_CPU_INFO_STATE)
		return pc->failed ? JAILHOUSE_CPU_FAILED
				  : JAILHOUSE_CPU_RUNNING;
	if (type >= JAILHOUSE_CPU_INFO_STAT_BASE &&
	    type < JAILHOUSE_CPU_INFO_STAT_BASE + JAILHOUSE_NUM_CPU_STATS)
		return pc->stats[type - JAILHOUSE_CPU_INFO_STAT_BASE] &
		       0x7fffffff;
	return -EINVAL;
}

long hypercall(struct per_cpu *pc, struct frame *frame, u64 code, u64 arg1,
	       u64 arg2)
{
	pc->stats[JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL]++;

	switch (code) {
	case JAILHOUSE_HC_DISABLE:
		if (pc->cell != &root_cell)
			return -EPERM;
		if (num_cells > 1)
			return -EBUSY;
		if (!hv_shutting_down) {
			hv_shutting_down = true;
			printk("Shutting down hypervisor\n");
		}
		hv_cpu_leave(pc, frame);
	case JAILHOUSE_HC_HYPERVISOR_GET_INFO:
		return hypervisor_get_info(arg1);
	case JAILHOUSE_HC_CELL_GET_STATE:
		if (arg1 == 0)
			return JAILHOUSE_CELL_RUNNING;
		return -ENOENT;
	case JAILHOUSE_HC_CPU_GET_INFO:
		return cpu_get_info(arg1, arg2);
	case JAILHOUSE_HC_DEBUG_CONSOLE_PUTC:
		printk("%c", (char)arg1);
		return 0;
	case JAILHOUSE_HC_CELL_CREATE:
	case JAILHOUSE_HC_CELL_START:
	case JAILHOUSE_HC_CELL_SET_LOADABLE:
	case JAILHOUSE_HC_CELL_DESTROY:
		/* Non-root cells are not implemented yet. */
		return -ENOSYS;
	default:
		return -ENOSYS;
	}
}
