/* SPDX-License-Identifier: MIT */
/*
 * QEMU virt, arm64, GICv3, 16 CPUs: the root cell lends RAM at the top of
 * 1 GiB to two cells and shares an ivshmem demo and an ivshmem-net link.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[12];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[2];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.flags = JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE,
		.hypervisor_memory = { .phys_start = 0x7fc00000, .size = 0x00400000 },
		.debug_console = {
			.address = 0x09000000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_PL011,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info = {
			.pci_mmconfig_base = 0x08e00000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.pci_domain = 1,
			.arm = {
				.gic_version = 3,
				.gicd_base = 0x08000000,
				.gicr_base = 0x080a0000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			.name = "qemu-arm64",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.vpci_irq_base = 128 - 32,
		},
	},
	.cpus = { 0xffff },
	.mem_regions = {
		DEMO_SECTIONS(0x7faf0000, 0),
		NET_SECTIONS(0x7fb00000, 0),
		SAME(0x09000000, 0x37000000, DEV_FLAGS),
		SAME(0x40000000, 0x3fa10000, RWX),
		SAME(0x4010000000, 0x10000000, DEV_FLAGS),
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
	.pci_devices = {
		IVSHMEM(1, BDF(0, 0, 0), 0, 0, 3, JAILHOUSE_SHMEM_PROTO_UNDEFINED, INTX_BARS),
		IVSHMEM(1, BDF(0, 1, 0), 5, 0, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS),
	},
};
