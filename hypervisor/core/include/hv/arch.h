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
/* Per CPU, on that CPU: switch to the final EL2 tables, install vectors,
 * enable stage 2 and traps. */
int arch_cpu_init(struct per_cpu *pc);
/* Undo arch_cpu_init and return to Linux at EL1 with the given frame.
 * Does not return. */
void __attribute__((noreturn)) arch_cpu_leave(struct per_cpu *pc,
					      struct frame *frame);
/* Debug UART output of one character (no-op without a UART). */
void arch_console_putc(char c);
void arch_console_init(void);

/* Entry assembly */
void __attribute__((noreturn)) hv_return_to_linux(struct frame *frame,
						  u64 vbar);

#endif
