/* SPDX-License-Identifier: MIT */
#ifndef HV_CELL_H
#define HV_CELL_H

#include <hv/types.h>
#include <hv/config.h>
#include <asm/percpu.h>

struct cell {
	unsigned int id;
	const struct jailhouse_cell_desc *config;
	u64 *s2_root;	/* stage-2 root table */
	u64 cpu_mask;	/* logical CPUs owned (HV_MAX_CPUS <= 64) */
	struct arch_cell arch;
};

extern struct cell root_cell;
extern unsigned int num_cells;

#endif
