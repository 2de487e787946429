/* SPDX-License-Identifier: MIT */
#ifndef HV_CONTROL_H
#define HV_CONTROL_H

#include <hv/types.h>

struct per_cpu;
struct frame;

/* Dispatch a Jailhouse hypercall; the result goes to the caller's x0. */
long hypercall(struct per_cpu *pc, struct frame *frame, u64 code, u64 arg1,
	       u64 arg2);

extern volatile bool hv_shutting_down;

#endif
