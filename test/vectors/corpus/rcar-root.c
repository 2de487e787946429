/* SPDX-License-Identifier: MIT */
/*
 * A Renesas R-Car Gen3 style board: 4 Cortex-A57, GICv2 (GIC-400), the
 * HSCIF as debug console behind a module-stop clock gate the driver opens
 * (clock_reg, gate_nr, inverted gate), RAM in two banks.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[6];
	struct jailhouse_irqchip irqchips[3];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.hypervisor_memory = { .phys_start = 0x7fc00000, .size = 0x400000 },
		.debug_console = {
			.address = 0xe6540000, .size = 0x60,
			.type = JAILHOUSE_CON_TYPE_HSCIF,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4 |
				 JAILHOUSE_CON_INVERTED_GATE,
			.divider = 0x2,
			.gate_nr = 20,
			.clock_reg = 0xe6150990,
		},
		.platform_info.arm = {
			.gic_version = 2,
			.gicd_base = 0xf1010000,
			.gicc_base = 0xf1020000,
			.gich_base = 0xf1040000,
			.gicv_base = 0xf1060000,
			.maintenance_irq = 25,
		},
		.root_cell = {
			.name = "rcar-gen3",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
		},
	},
	.cpus = { 0xf },
	.mem_regions = {
		SAME(0xe6000000, 0x540000, DEV_FLAGS),
		REGS(0xe6540000, 0x60, JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_16),
		SAME(0xe6550000, 0x0aab0000, DEV_FLAGS),
		SAME(0x48000000, 0x37c00000, RAM_FLAGS),
		SAME(0x500000000, 0x40000000, RAM_FLAGS),
		SAME(0x600000000, 0x40000000, RAM_FLAGS),
	},
	.irqchips = {
		{ .address = 0xf1010000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0xf1010000, .pin_base = 160,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0xf1010000, .pin_base = 288,
		  .pin_bitmap = { ~0u, ~0u, 0, 0 } },
	},
};
