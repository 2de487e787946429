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
	u64 config_pages; /* non-root: pages of the config copy */
	u64 *s2_root; /* stage-2 root table */
	u64 cpu_mask; /* logical CPUs owned (HV_MAX_CPUS <= 64) */
	volatile u32 state; /* JAILHOUSE_CELL_* */
	bool loadable; /* loadable regions lent back to the root */
	struct jailhouse_comm_region *comm;
	/* Forbidden or filtered accesses since the cell started; only the
	 * first of each kind is printed, so a cell cannot flood the console
	 * that every CPU prints to under one lock. */
	u32 refusals;
	u32 ignored_writes;
	/* The root's writes to its PCI devices' BARs or command: logged once.
	 */
	bool pci_write_logged;
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
long cell_begin_shutdown(void);
long cell_get_state(unsigned int id);
/*
 * PSCI SYSTEM_OFF (@restart false) or SYSTEM_RESET of a non-root cell, on
 * one of its CPUs: the cell shuts down, or starts again at its reset
 * address. The caller parks its CPU afterwards.
 */
void cell_power_off(struct per_cpu *pc, bool restart);
/* A cell's debug console putc (JAILHOUSE_HC_DEBUG_CONSOLE_PUTC). */
void cell_console_putc(struct cell *cell, char c);
/*
 * Called on a CPU of a non-root cell that did something the hypervisor
 * cannot let through: the cell is failed, the reason printed (for the
 * cell's first refusal only), and every CPU of the cell parks, this one
 * at the end of the current trap. It stays failed until the root starts
 * or destroys it.
 */
void cell_refused(struct per_cpu *pc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A write of a non-root cell that was filtered to what the cell owns (the
 * rest ignored), as a cell that sets up the whole GIC does. Not an
 * attack by itself: printed the first time after a start, then counted.
 */
void cell_ignored_write(struct per_cpu *pc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
