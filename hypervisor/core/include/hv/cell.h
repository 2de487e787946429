/* SPDX-License-Identifier: MIT */
/*
 * Cells: the root cell (Linux) and the non-root cells split off it at run
 * time. A non-root cell's configuration is copied into hypervisor pages at
 * creation, so the root can neither change nor free it afterwards.
 */
#ifndef HV_CELL_H
#define HV_CELL_H

#include <hv/types.h>
#include <hv/config.h>
#include <hv/spinlock.h>
#include <asm/percpu.h>

/* Cell ids double as stage-2 VMIDs; 0 is the root. */
#define HV_MAX_CELLS 16
#define HV_CELL_LINE_LEN 120

struct per_cpu;
struct frame;
struct jailhouse_comm_region;

struct cell {
	unsigned int id;
	const struct jailhouse_cell_desc *config;
	u64 config_pages;	/* non-root: pages of the config copy */
	u64 *s2_root;		/* stage-2 root table */
	u64 cpu_mask;		/* logical CPUs owned (HV_MAX_CPUS <= 64) */
	volatile u32 state;	/* JAILHOUSE_CELL_* */
	bool loadable;		/* loadable regions lent back to the root */
	struct jailhouse_comm_region *comm;
	/* Debug-console output, collected per line so lines of different
	 * cells never interleave in the hypervisor console. Every CPU of the
	 * cell may print at once: line_lock keeps line_len inside line[]. */
	spinlock_t line_lock;
	char line[HV_CELL_LINE_LEN];
	unsigned int line_len;
	struct arch_cell arch;
};

extern struct cell root_cell;
extern unsigned int num_cells;

struct cell *cell_by_id(unsigned int id);

/* Root-cell management hypercalls (core/cell.c). */
long cell_create(u64 config_address);
long cell_set_loadable(unsigned int id);
long cell_start(unsigned int id);
long cell_destroy(unsigned int id);
long cell_get_state(unsigned int id);
/* A cell's debug console putc (JAILHOUSE_HC_DEBUG_CONSOLE_PUTC). */
void cell_console_putc(struct cell *cell, char c);
/*
 * Called on a CPU of a non-root cell that did something the hypervisor
 * cannot let through: mark the cell failed and stop this CPU (its other
 * CPUs stop at their next exit). Returns when the root restarts the cell.
 */
void cell_fail(struct per_cpu *pc, struct frame *frame, const char *why);

#endif
