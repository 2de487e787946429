/* SPDX-License-Identifier: MIT */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/types.h>
#include <hv/layout.h>
#include <hv/cpu-mask.h>
#include <hv/spinlock.h>
#include <jailhouse/hypercall.h>
#include <asm/percpu.h>

struct cell;

/* Saved guest registers, laid out by the entry assembly. */
struct frame {
	u64 x[31];
	u64 pad;
};

enum cpu_power {
	CPU_RUNNING = 0,
	CPU_PARKED, /* PSCI CPU_OFF: waiting in EL2 for CPU_ON */
	CPU_LEFT, /* returned to Linux by DISABLE */
};

struct per_cpu {
	unsigned int cpu_id;
	u64 mpidr;
	u64 stub_vbar;
	struct cell *cell;
	/*
	 * Whether the CPU runs, and a PSCI CPU_ON waiting for it. Changes
	 * that decide if a parked CPU wakes (power, on_pending, held) are
	 * made under control_lock, so a wake-up and a hold never cross.
	 */
	spinlock_t control_lock;
	volatile u32 power;
	volatile u32 on_pending;
	volatile u64 on_entry;
	volatile u64 on_context;
	/*
	 * The root holds this CPU for a cell management step. A held CPU
	 * parks at its next exit (the management SGI forces one) and stays
	 * parked: no CPU_ON wakes it, one already pending is dropped, until
	 * the root lets go (cell start, or the CPU's return to the root).
	 * Otherwise a sibling still running in the cell could wake a CPU the
	 * root has already stopped.
	 */
	volatile u32 held;
	bool failed;
	u32 stats[JAILHOUSE_NUM_CPU_STATS];
	struct arch_per_cpu arch;
};

_Static_assert(sizeof(struct per_cpu) + HV_STACK_MIN <= HV_PERCPU_SIZE,
	       "per-CPU area too small");

static inline struct per_cpu *this_cpu(void)
{
	struct per_cpu *pc;

	asm volatile("mrs %0, tpidr_el2" : "=r"(pc));
	return pc;
}

struct per_cpu *per_cpu(unsigned int cpu);

#endif
