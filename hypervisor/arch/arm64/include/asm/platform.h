/* SPDX-License-Identifier: MIT */
/* Which .cell architecture this build of the hypervisor accepts. */
#ifndef ASM_PLATFORM_H
#define ASM_PLATFORM_H

#include <hv/types.h>
#include <jailhouse/cell-config.h>

#define ARCH_CONFIG_ARCHITECTURE JAILHOUSE_ARM64

/* Bytes of redistributor frames, one per CPU of the root cell's set. */
u64 gicr_size(void);

#endif
