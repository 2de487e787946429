/* SPDX-License-Identifier: MIT */
/*
 * A TI K3 (J721E style) board: GICv3, 8250 UART needing the MDR quirk,
 * two TI PVU units for the ivshmem devices' DMA and an SMMUv3, with
 * 64 KiB ivshmem BARs.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[10];
	struct jailhouse_irqchip irqchips[3];
	struct jailhouse_pci_device pci_devices[1];
	__u32 stream_ids[2];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_ARM64),
		.flags = JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE,
		.hypervisor_memory = { .phys_start = 0x89fa00000, .size = 0x400000 },
		.debug_console = {
			.address = 0x02800000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4 |
				 JAILHOUSE_CON_MDR_QUIRK,
		},
		.platform_info = {
			.pci_mmconfig_base = 0x76000000,
			.pci_mmconfig_end_bus = 0,
			.pci_is_virtual = 1,
			.pci_domain = 3,
			.iommu_units = {
				{ .type = JAILHOUSE_IOMMU_PVU, .base = 0x30f80000,
				  .size = 0x1000,
				  .tipvu = { .tlb_base = 0x36000000, .tlb_size = 0x40000 } },
				{ .type = JAILHOUSE_IOMMU_PVU, .base = 0x30f81000,
				  .size = 0x1000,
				  .tipvu = { .tlb_base = 0x36040000, .tlb_size = 0x40000 } },
				{ .type = JAILHOUSE_IOMMU_SMMUV3, .base = 0x36600000,
				  .size = 0x100000 },
			},
			.arm = {
				.gic_version = 3,
				.gicd_base = 0x01800000,
				.gicr_base = 0x01900000,
				.maintenance_irq = 25,
			},
		},
		.root_cell = {
			.name = "k3-j721e",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pci_devices = COUNT(config.pci_devices),
			.num_stream_ids = COUNT(config.stream_ids),
			.vpci_irq_base = 191 - 32,
		},
	},
	.cpus = { 0x3 },
	.mem_regions = {
		NET_SECTIONS(0x89fe00000, 0),
		SAME(0x00100000, 0x20000, DEV_FLAGS),
		SAME(0x02800000, 0x1000, DEV_FLAGS),
		SAME(0x0d000000, 0x01000000, DEV_FLAGS),
		SAME(0x80000000, 0x80000000, RAM_FLAGS),
		SAME(0x880000000, 0x1fa00000, RAM_FLAGS),
		REGS(0x00a40000, 0x80, JAILHOUSE_MEM_IO_32),
	},
	.irqchips = {
		{ .address = 0x01800000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0x01800000, .pin_base = 160,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
		{ .address = 0x01800000, .pin_base = 288,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
	.pci_devices = {
		IVSHMEM(3, BDF(0, 0, 0), 0, 0, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS_64K),
	},
	.stream_ids = { 0x0002, 0xf002 },
};
