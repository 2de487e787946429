/* SPDX-License-Identifier: MIT */
/*
 * A Zynq UltraScale+ style board: 4 Cortex-A53, GICv2, Cadence UART
 * (xuartps), an MMU-500 SMMU guarding DMA masters, and ivshmem-net to a
 * Linux cell whose DMA masters are named by stream ids.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[9];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[1];
	__u32 stream_ids[3];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.hypervisor_memory = { .phys_start = 0x7fc00000, .size = 0x00400000 },
		.debug_console = {
			.address = 0xff000000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_XUARTPS,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xfc000000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.iommu_units = {
				{ .type = JAILHOUSE_IOMMU_ARM_MMU500,
				  .base = 0xfd800000, .size = 0x20000 },
			},
			.arm = {
				.gic_version = 2,
				.gicd_base = 0xf9010000,
				.gicc_base = 0xf902f000,
				.gich_base = 0xf9040000,
				.gicv_base = 0xf906f000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			.name = "zynqmp",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.num_stream_ids = COUNT(config.stream_ids),
			.vpci_irq_base = 136 - 32,
		},
	},
	.cpus = { 0xf },
	.mem_regions = {
		NET_SECTIONS(0x800400000, 0),
		SAME(0xfd000000, 0x800000, DEV_FLAGS),
		SAME(0xfe000000, 0x1000000, DEV_FLAGS),
		SAME(0xff000000, 0x1000000, DEV_FLAGS),
		SAME(0x0, 0x7fc00000, RAM_FLAGS),
		SAME(0x800000000, 0x400000, RAM_FLAGS),
	},
	.irqchips = {
		{ .address = 0xf9010000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 0, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS),
	},
	/* MMU-500 stream ids: bits 0-14 the id, bits 16-30 the mask. */
	.stream_ids = { 0x0871, 0x7f << 16 | 0x0860, 0x0874 },
};
