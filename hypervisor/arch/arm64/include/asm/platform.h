/* SPDX-License-Identifier: MIT */
/* Which .cell architecture this build of the hypervisor accepts. */
#ifndef ASM_PLATFORM_H
#define ASM_PLATFORM_H

#include <hv/types.h>
#include <jailhouse/cell-config.h>

#define ARCH_CONFIG_ARCHITECTURE JAILHOUSE_ARM64

#endif
