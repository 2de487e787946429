/* SPDX-License-Identifier: MIT */
/*
 * Hypercall ABI (arm64): "hvc #0x4a48", code in x0, arguments in x1 and x2,
 * result in x0 (negative errno on failure). Codes and info types are those of
 * Jailhouse so existing tools keep working.
 */
#ifndef JAILHOUSE_HYPERCALL_H
#define JAILHOUSE_HYPERCALL_H

#define JAILHOUSE_HVC_IMM 0x4a48

#define JAILHOUSE_HC_DISABLE 0
#define JAILHOUSE_HC_CELL_CREATE 1
#define JAILHOUSE_HC_CELL_START 2
#define JAILHOUSE_HC_CELL_SET_LOADABLE 3
#define JAILHOUSE_HC_CELL_DESTROY 4
#define JAILHOUSE_HC_HYPERVISOR_GET_INFO 5
#define JAILHOUSE_HC_CELL_GET_STATE 6
#define JAILHOUSE_HC_CPU_GET_INFO 7
#define JAILHOUSE_HC_DEBUG_CONSOLE_PUTC 8

/* HYPERVISOR_GET_INFO types */
#define JAILHOUSE_INFO_MEM_POOL_SIZE 0
#define JAILHOUSE_INFO_MEM_POOL_USED 1
#define JAILHOUSE_INFO_REMAP_POOL_SIZE 2
#define JAILHOUSE_INFO_REMAP_POOL_USED 3
#define JAILHOUSE_INFO_NUM_CELLS 4

/* CELL_GET_STATE results */
#define JAILHOUSE_CELL_RUNNING 0
#define JAILHOUSE_CELL_RUNNING_LOCKED 1
#define JAILHOUSE_CELL_SHUT_DOWN 2
#define JAILHOUSE_CELL_FAILED 3
#define JAILHOUSE_CELL_FAILED_COMM_REV 4

#ifndef __ASSEMBLY__
/*
 * The words sysfs, the driver and the hypervisor console use for a state.
 * An array of characters, not of pointers: the hypervisor image must need
 * no relocation.
 */
static inline const char *jailhouse_cell_state_name(long state)
{
	static const char names[][sizeof("Comm ABI mismatch")] = {
		[JAILHOUSE_CELL_RUNNING] = "running",
		[JAILHOUSE_CELL_RUNNING_LOCKED] = "running/locked",
		[JAILHOUSE_CELL_SHUT_DOWN] = "shut down",
		[JAILHOUSE_CELL_FAILED] = "failed",
		[JAILHOUSE_CELL_FAILED_COMM_REV] = "Comm ABI mismatch",
	};

	if (state < 0 || state >= (long)(sizeof(names) / sizeof(names[0])))
		return "invalid";
	return names[state];
}
#endif

/* CPU_GET_INFO types */
#define JAILHOUSE_CPU_INFO_STATE 0
#define JAILHOUSE_CPU_RUNNING 0
#define JAILHOUSE_CPU_FAILED 2
#define JAILHOUSE_CPU_INFO_STAT_BASE 1000

/* Per-CPU statistics (index n of CPU_GET_INFO type 1000 + n), arm64 set */
#define JAILHOUSE_CPU_STAT_VMEXITS_TOTAL 0
#define JAILHOUSE_CPU_STAT_VMEXITS_MMIO 1
#define JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT 2
#define JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL 3
#define JAILHOUSE_CPU_STAT_VMEXITS_MAINTENANCE 4
#define JAILHOUSE_CPU_STAT_VMEXITS_VIRQ 5
#define JAILHOUSE_CPU_STAT_VMEXITS_VSGI 6
#define JAILHOUSE_CPU_STAT_VMEXITS_PSCI 7
#define JAILHOUSE_CPU_STAT_VMEXITS_SMCCC 8
#define JAILHOUSE_NUM_CPU_STATS 9

#endif
