/* SPDX-License-Identifier: MIT */
/*
 * An i.MX8M style board: 4 Cortex-A53, GICv3, i.MX UART, an ivshmem demo
 * for a bare-metal cell, RAM above 4 GiB, and an irqchip word left empty.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[9];
	struct jailhouse_irqchip irqchips[3];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.flags = JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE,
		.hypervisor_memory = { .phys_start = 0xbfc00000, .size = 0x00400000 },
		.debug_console = {
			.address = 0x30860000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_IMX,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xbb800000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.pci_domain = 0,
			.arm = {
				.gic_version = 3,
				.gicd_base = 0x38800000,
				.gicr_base = 0x38880000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			.name = "imx8m",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.vpci_irq_base = 70,
		},
	},
	.cpus = { 0xf },
	.mem_regions = {
		DEMO_SECTIONS(0xbba00000, 0),
		SAME(0x30000000, 0x0c000000, DEV_FLAGS),
		SAME(0x40000000, 0x7b800000, RAM_FLAGS),
		SAME(0x100000000, 0x40000000, RAM_FLAGS),
		SAME(0xbbc00000, 0x00400000, RAM_FLAGS),
	},
	.irqchips = {
		{ .address = 0x38800000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0x38800000, .pin_base = 160,
		  .pin_bitmap = { ~0u, 0, 0, 0 } },
		{ .address = 0x38800000, .pin_base = 288 },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 0, 3, JAILHOUSE_SHMEM_PROTO_UNDEFINED, INTX_BARS),
	},
};
