/* SPDX-License-Identifier: MIT */
/*
 * A Marvell Armada 3700 style board: 2 Cortex-A53, GICv3, the mvebu UART,
 * 1 GiB of RAM and a small internal register space.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.hypervisor_memory = { .phys_start = 0x3fc00000, .size = 0x00400000 },
		.debug_console = {
			.address = 0xd0012000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_MVEBU,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info.arm = {
			.gic_version = 3,
			.gicd_base = 0xd1d00000,
			.gicr_base = 0xd1d40000,
			.maintenance_irq = 25,
		},
		.root_cell = {
			.name = "espressobin",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
		},
	},
	.cpus = { 0x3 },
	.mem_regions = {
		SAME(0xd0000000, 0x1d00000, DEV_FLAGS),
		SAME(0xe8000000, 0x1000000, DEV_FLAGS),
		SAME(0x00000000, 0x3fc00000, RAM_FLAGS),
	},
	.irqchips = {
		{ .address = 0xd1d00000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
};
