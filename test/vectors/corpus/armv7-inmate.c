/* SPDX-License-Identifier: MIT */
/* The 32-bit board's bare-metal cell on CPU 1, its UART a sub-page region. */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM),
		.name = "armv7-uart-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.console = {
			.address = 0x01c29c00, .size = 0x400,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x2 },
	.mem_regions = {
		REGS(0x01c29c00, 0x400, JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_32),
		REGION(0x7bef0000, 0, 0x10000, LOADABLE_RAM),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0x01c81000, .pin_base = 32,
		  .pin_bitmap = { 0, BIT(52 - 32) } },
	},
};
