/* SPDX-License-Identifier: MIT */
/*
 * A 32-bit ARM board (Cortex-A7 pair, Allwinner A20 style): GICv2, 8250
 * UART, 1 GiB at 0x40000000, an ivshmem-net endpoint for a future peer.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[7];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM),
		.hypervisor_memory = { .phys_start = 0x7c000000, .size = 0x4000000 },
		.debug_console = {
			.address = 0x01c28000, .size = 0x400,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info = {
			.pci_mmconfig_base = 0x2000000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.arm = {
				.gic_version = 2,
				.gicd_base = 0x01c81000,
				.gicc_base = 0x01c82000,
				.gich_base = 0x01c84000,
				.gicv_base = 0x01c86000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			CELL_PREFIX(JAILHOUSE_ARM),
			.name = "armv7-board",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.vpci_irq_base = 123,
		},
	},
	.cpus = { 0x3 },
	.mem_regions = {
		NET_SECTIONS(0x7bf00000, 0),
		SAME(0x01c00000, 0x00300000, DEV_FLAGS),
		SAME(0x40000000, 0x3bf00000, RWX),
		REGS(0x01f02400, 0x400, JAILHOUSE_MEM_IO_32),
	},
	.irqchips = {
		{ .address = 0x01c81000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 0, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS),
	},
};
