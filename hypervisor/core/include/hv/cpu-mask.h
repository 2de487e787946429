/* SPDX-License-Identifier: MIT */
/* Sets of CPUs as a u64 mask, CPU n being bit n (HV_MAX_CPUS is 64). */
#ifndef HV_CPU_MASK_H
#define HV_CPU_MASK_H

#include <hv/types.h>
#include <hv/layout.h>

/* The lowest CPU of @mask at or above @from; HV_MAX_CPUS when there is none. */
static inline unsigned int next_cpu(u64 mask, unsigned int from)
{
	while (from < HV_MAX_CPUS && !(mask & BIT(from)))
		from++;
	return from;
}

/*
 * The statement after it runs once for each CPU @n of @mask, lowest first.
 * @mask is read again at each step, so pass a copy when the body changes it.
 */
#define for_each_cpu(n, mask)                                                  \
	for ((n) = next_cpu((mask), 0); (n) < HV_MAX_CPUS;                     \
	     (n) = next_cpu((mask), (n) + 1))

#endif
