/* SPDX-License-Identifier: MIT */
/*
 * The R-Car board's Linux cell on CPUs 1-2 with a SCIF console that the
 * cell reaches through the hypervisor only: no region covers it.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[4];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "rcar-linux-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.console = {
			.address = 0xe6e88000, .size = 0x40,
			.type = JAILHOUSE_CON_TYPE_SCIF,
			.flags = JAILHOUSE_CON_ACCESS_MMIO,
		},
	},
	.cpus = { 0x6 },
	.mem_regions = {
		SAME(0xee100000, 0x2000, DEV_FLAGS),
		REGION(0x7f900000, 0, 0x10000, LOADABLE_RAM),
		SAME(0x70000000, 0x8000000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0xf1010000, .pin_base = 160,
		  .pin_bitmap = { 0, BIT(165 + 32 - 192) } },
	},
};
