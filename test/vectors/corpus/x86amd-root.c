/* SPDX-License-Identifier: MIT */
/*
 * An AMD x86 server: 16 CPUs in x2APIC mode with known TSC and APIC clocks,
 * the AMD IOMMU with its PCI function and capability offsets, two IOAPICs
 * (the second starting at GSI 24) and the EFI framebuffer as debug console.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[6];
	struct jailhouse_irqchip irqchips[2];
	struct jailhouse_pio pio_regions[3];
	struct jailhouse_pci_device pci_devices[2];
	struct jailhouse_pci_capability pci_caps[2];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_X86),
		.hypervisor_memory = { .phys_start = 0x7c000000, .size = 0x1000000 },
		.debug_console = {
			.address = 0xe0000000, .size = 0x7e9000,
			.type = JAILHOUSE_CON_TYPE_EFIFB,
			.flags = JAILHOUSE_CON_FB_1920x1080,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xf0000000,
			.pci_mmconfig_end_bus = 0x3f,
			.pci_domain = 0,
			.iommu_units = {
				{ .type = JAILHOUSE_IOMMU_AMD, .base = 0xfeb80000,
				  .size = 0x80000,
				  .amd = { .bdf = BDF(0, 0, 2), .base_cap = 0x40,
					   .msi_cap = 0x54, .features = 0x80048824 } },
			},
			.x86 = {
				.pm_timer_address = 0x808,
				.apic_mode = 2,
				.tsc_khz = 3593000,
				.apic_khz = 100000,
			},
		},
		.root_cell = {
			.name = "amd-server",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pio_regions = COUNT(config.pio_regions),
			.num_pci_devices = COUNT(config.pci_devices),
			.num_pci_caps = COUNT(config.pci_caps),
		},
	},
	.cpus = { 0xffff },
	.mem_regions = {
		SAME(0x0, 0xa0000, RAM_FLAGS),
		SAME(0x100000, 0x7bf00000, RAM_FLAGS),
		SAME(0x7d000000, 0x3000000, RAM_FLAGS),
		SAME(0xe0000000, 0x1000000, RW),
		SAME(0xfe000000, 0xb80000, DEV_FLAGS),
		SAME(0x100000000, 0x80000000, RAM_FLAGS),
	},
	.irqchips = {
		{ .address = 0xfec00000, .id = 0x00a0, .pin_bitmap = { 0xffffff } },
		{ .address = 0xfec01000, .id = 0x00a1, .pin_base = 24,
		  .pin_bitmap = { 0xffffffff } },
	},
	.pio_regions = {
		{ .base = 0x0, .length = 0x3f8 },
		{ .base = 0x400, .length = 0xfc00 },
		{ .base = 0x3f8, .length = 0x0 },
	},
	.pci_devices = {
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0, 0) },
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0, 2),
		  .caps_start = 0, .num_caps = 2,
		  .num_msi_vectors = 1, .msi_64bits = 1 },
	},
	.pci_caps = {
		{ .id = 0x0f, .start = 0x40, .len = 0x14 },
		{ .id = 0x05, .start = 0x54, .len = 14, .flags = JAILHOUSE_PCICAPS_WRITE },
	},
};
