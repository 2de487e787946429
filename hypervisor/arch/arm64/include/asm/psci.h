/* SPDX-License-Identifier: MIT */
/* PSCI / SMCCC function IDs and results (facts from the PSCI spec). */
#ifndef ASM_PSCI_H
#define ASM_PSCI_H

#define SMCCC_VERSION 0x80000000
#define SMCCC_ARCH_FEATURES 0x80000001

#define PSCI_VERSION 0x84000000
#define PSCI_CPU_SUSPEND_32 0x84000001
#define PSCI_CPU_SUSPEND_64 0xc4000001
#define PSCI_CPU_OFF 0x84000002
#define PSCI_CPU_ON_32 0x84000003
#define PSCI_CPU_ON_64 0xc4000003
#define PSCI_AFFINITY_INFO_32 0x84000004
#define PSCI_AFFINITY_INFO_64 0xc4000004
#define PSCI_MIGRATE_INFO_TYPE 0x84000006
#define PSCI_SYSTEM_OFF 0x84000008
#define PSCI_SYSTEM_RESET 0x84000009
#define PSCI_FEATURES 0x8400000a
#define PSCI_SYSTEM_RESET2_32 0x84000012
#define PSCI_SYSTEM_RESET2_64 0xc4000012

/* Function ID fields of the SMC calling convention */
#define SMCCC_OWNER(fn) (((fn) >> 24) & 0x3f)
#define SMCCC_OWNER_ARCH 0
#define SMCCC_OWNER_STANDARD 4
#define SMCCC_OWNER_TRUSTED_FIRST 48

#define PSCI_VERSION_1_0 0x00010000

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)

#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1

struct per_cpu;
struct frame;

void psci_handle_smc(struct per_cpu *pc, struct frame *frame);
/* Every CPU_ON starts with this EL1 state: nothing of the last owner. */
void el1_state_reset(void);

#endif
