/* SPDX-License-Identifier: MIT */
/*
 * QEMU virt, arm64: a Linux cell on CPUs 2-3 with 128 MiB, peer 2 of the
 * ivshmem demo and the other end of the root's ivshmem-net link.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[13];
	struct jailhouse_irqchip irqchips[2];
	struct jailhouse_pci_device pci_devices[2];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "qemu-arm64-linux-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.vpci_irq_base = 140 - 32,
		.console = {
			.address = 0x09000000,
			.type = JAILHOUSE_CON_TYPE_PL011,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0xc },
	.mem_regions = {
		DEMO_SECTIONS(0x7faf0000, 2),
		NET_SECTIONS(0x7fb00000, 1),
		SAME(0x09000000, 0x1000, DEV_FLAGS | SHARED),
		REGION(0x7f900000, 0, 0x10000, LOADABLE_RAM),
		SAME(0x70000000, 0x8000000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { BIT(33 - 32), 0, 0, BIT(140 - 128) | BIT(141 - 128) } },
		{ .address = 0x08000000, .pin_base = 160 },
	},
	.pci_devices = {
		IVSHMEM(1, BDF(0, 0, 0), 0, 2, 3, JAILHOUSE_SHMEM_PROTO_UNDEFINED, INTX_BARS),
		IVSHMEM(1, BDF(0, 1, 0), 5, 1, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS),
	},
};
