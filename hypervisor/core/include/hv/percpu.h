/* SPDX-License-Identifier: MIT */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/types.h>
#include <hv/layout.h>
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
	CPU_PARKED,	/* PSCI CPU_OFF: waiting in EL2 for CPU_ON */
	CPU_LEFT,	/* returned to Linux by DISABLE */
};

struct per_cpu {
	unsigned int cpu_id;
	u64 mpidr;
	u64 stub_vbar;
	struct cell *cell;
	volatile u32 power;
	/* PSCI CPU_ON request, written by the caller CPU */
	volatile u32 on_pending;
	volatile u64 on_entry;
	volatile u64 on_context;
	/* Set by a root CPU that needs this CPU parked (cell shutdown or
	 * destroy); the management SGI makes it exit and see it. */
	volatile u32 stop_request;
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
