// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The PSCI calls a cell makes (SMC calling convention through HVC, as the
 * hypervisor and QEMU's virt machine both take them from EL1).
 */
#include "inmate.h"

#define PSCI_VERSION 0x84000000UL
#define PSCI_CPU_OFF 0x84000002UL
#define PSCI_AFFINITY_INFO_64 0xc4000004UL
#define PSCI_FEATURES 0x8400000aUL

void secondary_start(void);

static s64 psci_call(u64 function, u64 arg1, u64 arg2, u64 arg3)
{
	register u64 x0 asm("x0") = function;
	register u64 x1 asm("x1") = arg1;
	register u64 x2 asm("x2") = arg2;
	register u64 x3 asm("x3") = arg3;

	asm volatile("hvc #0"
		     : "+r"(x0)
		     : "r"(x1), "r"(x2), "r"(x3)
		     : "memory");
	return (s64)x0;
}

/* @fn runs on the started CPU with its own stack; it must not return. */
s64 psci_cpu_on(u64 mpidr, void (*fn)(void))
{
	return psci_call(PSCI_CPU_ON_64, mpidr, (u64)secondary_start, (u64)fn);
}

s64 psci_affinity_info(u64 mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0);
}

void psci_cpu_off(void)
{
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	halt();
}

/* Major version in bits 31:16, minor in 15:0. */
s64 psci_version(void)
{
	return psci_call(PSCI_VERSION, 0, 0, 0);
}

/* 0 or feature flags when @function is implemented, else negative. */
s64 psci_features(u64 function)
{
	return psci_call(PSCI_FEATURES, function, 0, 0);
}
