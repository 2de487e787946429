// SPDX-License-Identifier: MIT
/* The uart-echo demo cell; YAML twin: examples/lab/uart-echo.yaml. */
#include <jailhouse/cell-config.h>

#define RW (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)

static const struct {
	struct jailhouse_cell_desc cell;
	__u8 cpus[8];
	struct jailhouse_memory memory[3];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "uart-echo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = 8,
		.num_memory_regions = 3,
		.num_irqchips = 1,
	},
	.cpus = { 0x04 },
	.memory = {
		{ 0x70200000, 0, 0x100000,
		  RW | JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE },
		{ 0, 0x80000000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION },
		{ 0x3eff1000, 0x3eff1000, 0x1000, RW | JAILHOUSE_MEM_IO },
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { 1u << 3, 0, 0, 0 } },
	},
};
