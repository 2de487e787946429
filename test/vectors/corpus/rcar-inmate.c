/* SPDX-License-Identifier: MIT */
/* The R-Car board's bare-metal cell on CPU 3 with a SCIFA-type UART. */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "rcar-inmate-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.console = {
			.address = 0xe6c50000, .size = 0x40,
			.type = JAILHOUSE_CON_TYPE_SCIFA,
			.flags = JAILHOUSE_CON_ACCESS_MMIO,
		},
	},
	.cpus = { 0x8 },
	.mem_regions = {
		REGS(0xe6c50000, 0x40, JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_16),
		REGION(0x7fa00000, 0, 0x10000, LOADABLE_RAM),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0xf1010000, .pin_base = 160,
		  .pin_bitmap = { 0, 0, BIT(240 - 224) } },
	},
};
