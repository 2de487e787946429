/* SPDX-License-Identifier: MIT */
/*
 * An arm64 SoC with a GICv2 (GIC-400) and 8 CPUs whose root cell lists
 * every peripheral block on its own: 60 memory regions, among them sub-page
 * register blocks with their access widths, and an ivshmem-net link to a
 * Linux cell. (A board of this size once crashed the encoder.)
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[60];
	struct jailhouse_irqchip irqchips[2];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.hypervisor_memory = { .phys_start = 0x3fc00000, .size = 0x400000 },
		.debug_console = {
			.address = 0xf8015000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
			.divider = 0x0d,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xf6000000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.arm = {
				.gic_version = 2,
				.gicd_base = 0xf6801000,
				.gicc_base = 0xf6802000,
				.gich_base = 0xf6804000,
				.gicv_base = 0xf6806000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			.name = "gicv2-soc",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.vpci_irq_base = 200 - 32,
		},
	},
	.cpus = { 0xff },
	.mem_regions = {
		NET_SECTIONS(0x3f000000, 0),
		SAME(0x00000000, 0x05e00000, RAM_FLAGS),
		SAME(0x06000000, 0x38000000, RAM_FLAGS),
		SAME(0xf8015000, 0x1000, DEV_FLAGS),
		SAME(0xf9000000, 0x100000, RO | JAILHOUSE_MEM_IO),
		SAME(0xf4000000, 0x2000000, DEV_FLAGS),
		SAME(0xf7100000, 0x1000, DEV_FLAGS),
		SAME(0xf7110000, 0x1000, DEV_FLAGS),
		SAME(0xf7120000, 0x1000, DEV_FLAGS),
		SAME(0xf7130000, 0x1000, DEV_FLAGS),
		SAME(0xf7140000, 0x1000, DEV_FLAGS),
		SAME(0xf7150000, 0x1000, DEV_FLAGS),
		SAME(0xf7160000, 0x1000, DEV_FLAGS),
		SAME(0xf7170000, 0x1000, DEV_FLAGS),
		SAME(0xf7180000, 0x1000, DEV_FLAGS),
		SAME(0xf7190000, 0x1000, DEV_FLAGS),
		SAME(0xf71a0000, 0x1000, DEV_FLAGS),
		SAME(0xf71b0000, 0x1000, DEV_FLAGS),
		SAME(0xf71c0000, 0x1000, DEV_FLAGS),
		SAME(0xf71d0000, 0x1000, DEV_FLAGS),
		SAME(0xf71e0000, 0x1000, DEV_FLAGS),
		SAME(0xf71f0000, 0x1000, DEV_FLAGS),
		SAME(0xf7200000, 0x1000, DEV_FLAGS),
		SAME(0xf7210000, 0x1000, DEV_FLAGS),
		SAME(0xf7220000, 0x1000, DEV_FLAGS),
		SAME(0xf7230000, 0x1000, DEV_FLAGS),
		SAME(0xf7240000, 0x1000, DEV_FLAGS),
		SAME(0xf7250000, 0x1000, DEV_FLAGS),
		SAME(0xf7260000, 0x1000, DEV_FLAGS),
		SAME(0xf7270000, 0x1000, DEV_FLAGS),
		SAME(0xf8100000, 0x10000, DEV_FLAGS),
		SAME(0xf8110000, 0x10000, DEV_FLAGS),
		SAME(0xf8120000, 0x10000, DEV_FLAGS),
		SAME(0xf8130000, 0x10000, DEV_FLAGS),
		SAME(0xf8140000, 0x10000, DEV_FLAGS),
		SAME(0xf8150000, 0x10000, DEV_FLAGS),
		SAME(0xf8160000, 0x10000, DEV_FLAGS),
		SAME(0xf8170000, 0x10000, DEV_FLAGS),
		SAME(0xf8180000, 0x10000, DEV_FLAGS),
		SAME(0xf8190000, 0x10000, DEV_FLAGS),
		SAME(0xf81a0000, 0x10000, DEV_FLAGS),
		SAME(0xf81b0000, 0x10000, DEV_FLAGS),
		REGS(0xf7020000, 0x40, JAILHOUSE_MEM_IO_32),
		REGS(0xf7020100, 0x14, JAILHOUSE_MEM_IO_32),
		REGS(0xf7030000, 0x4, JAILHOUSE_MEM_IO_32),
		REGS(0xf7030800, 0x100, JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_32),
		REGS(0xf7040000, 0x800, JAILHOUSE_MEM_IO_16 | JAILHOUSE_MEM_IO_32),
		REGS(0xf7050000, 0x20, JAILHOUSE_MEM_IO_64),
		REGS(0xf7060000, 0x200, JAILHOUSE_MEM_IO_32 | JAILHOUSE_MEM_IO_UNALIGNED),
		REGS(0xf7070000, 0x30, JAILHOUSE_MEM_IO_8),		SAME(0xf7500000, 0x1000, DEV_FLAGS),
		SAME(0xf7510000, 0x1000, DEV_FLAGS),
		SAME(0xf7520000, 0x1000, DEV_FLAGS),
		SAME(0xf7530000, 0x1000, DEV_FLAGS),
		SAME(0xf7540000, 0x1000, DEV_FLAGS),
		SAME(0xf7550000, 0x1000, DEV_FLAGS),
		SAME(0xf7560000, 0x1000, DEV_FLAGS),
	},
	.irqchips = {
		{ .address = 0xf6801000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0xf6801000, .pin_base = 160,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 0, 2, JAILHOUSE_SHMEM_PROTO_VETH, MSIX_BARS),
	},
};
