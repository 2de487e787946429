// SPDX-License-Identifier: MIT
/*
 * The rt-timer demo cell written by hand as a Jailhouse .c config, for
 * test/unit/examples.test.ts (a .cell built with gcc and objcopy); the ABI
 * test generates its C from examples/lab/rt-timer.yaml instead.
 */
#include <jailhouse/cell-config.h>

#define RW (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)

static const struct {
	struct jailhouse_cell_desc cell;
	__u8 cpus[8];
	struct jailhouse_memory memory[3];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "rt-timer",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = 8,
		.num_memory_regions = 3,
		.console = {
			.address = 0x09000000,
			.size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_PL011,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x02 },
	.memory = {
		{ 0x70000000, 0, 0x100000,
		  RW | JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE },
		{ 0, 0x80000000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION },
		{ 0x09000000, 0x09000000, 0x1000,
		  RW | JAILHOUSE_MEM_IO | JAILHOUSE_MEM_ROOTSHARED },
	},
};
