/* SPDX-License-Identifier: MIT */
/*
 * What the core needs from an architecture. Keep this list short: everything
 * else stays behind it in arch/<arch>/.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/types.h>

struct per_cpu;
struct cell;
struct frame;

/* Once, on the first CPU: EL2 page tables, platform checks. */
int arch_init_early(void);
/* Build the stage-2 translation of a cell from its memory regions. */
int arch_cell_init(struct cell *cell);
/*
 * Non-root cells, called on a root CPU with the management lock held.
 * create: build the cell's stage 2 from its config, take its memory, its
 * CPUs' redistributors and its interrupts away from the root. destroy:
 * the reverse; the cell's CPUs are parked. loadable: lend the cell's
 * loadable regions to the root (true) or take them back (false).
 */
int arch_cell_create(struct cell *cell);
void arch_cell_destroy(struct cell *cell);
int arch_cell_set_loadable(struct cell *cell, bool loadable);
/*
 * Make the held @target (not the caller) exit to EL2 and park, and wait
 * for it, a bounded time: -ETIMEDOUT if it did not answer.
 */
int arch_cpu_stop(struct per_cpu *target);
/* Make @target exit to EL2 soon, where it looks at its state. */
void arch_cpu_kick(struct per_cpu *target);
/* Wake the parked @target at @entry (EL1, MMU off) in its cell; called
 * with its control_lock held. */
void arch_cpu_start(struct per_cpu *target, u64 entry);
/* Park the calling CPU until arch_cpu_start or PSCI CPU_ON names it. */
void arch_cpu_park(struct per_cpu *pc, struct frame *frame);
/* Per CPU, on that CPU: switch to the final EL2 tables, install vectors,
 * enable stage 2 and traps. */
int arch_cpu_init(struct per_cpu *pc);
/* Undo arch_cpu_init and return to Linux at EL1 with the given frame.
 * Does not return. */
void __attribute__((noreturn))
arch_cpu_leave(struct per_cpu *pc, struct frame *frame);
/* A monotonic clock in milliseconds, for bounded waits. */
u64 arch_time_ms(void);
/* Debug UART output of one character (no-op without a UART). */
void arch_console_putc(char c);
void arch_console_init(void);

/* Entry assembly */
void __attribute__((noreturn))
hv_return_to_linux(struct frame *frame, u64 vbar);

#endif
