/* SPDX-License-Identifier: MIT */
/*
 * The x86 PC's APIC timer demo: one CPU, 1 MiB loaded at guest address 0,
 * the second serial port and the ACPI PM timer by port I/O.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_cache cache_regions[1];
	struct jailhouse_pio pio_regions[2];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_X86),
		.name = "apic-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_cache_regions = COUNT(config.cache_regions),
		.num_pio_regions = COUNT(config.pio_regions),
		.console = {
			.address = 0x2f8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO,
		},
	},
	.cpus = { 0x8 },
	.mem_regions = {
		REGION(0x3f000000, 0, 0x00100000, LOADABLE_RAM),
		REGION(0, 0x00100000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION),
	},
	.cache_regions = {
		{ .start = 2, .size = 1, .type = JAILHOUSE_CACHE_L3_CODE },
	},
	.pio_regions = {
		{ .base = 0x2f8, .length = 8 },
		{ .base = 0x608, .length = 4 },
	},
};
