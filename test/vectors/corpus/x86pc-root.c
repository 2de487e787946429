/* SPDX-License-Identifier: MIT */
/*
 * An x86 PC (QEMU q35 style, Intel): 8 CPUs, VT-d, one IOAPIC, the legacy
 * serial port as debug console, port I/O ranges for the root, PCI devices
 * with their capabilities (a bridge, an e1000e with MSI-X, an ivshmem-net
 * link) and CAT cache partitioning.
 */
#include "corpus.h"

struct {
	struct jailhouse_system header;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[19];
	struct jailhouse_cache cache_regions[1];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pio pio_regions[12];
	struct jailhouse_pci_device pci_devices[7];
	struct jailhouse_pci_capability pci_caps[9];
} __attribute__((packed)) config = {
	.header = {
		SYSTEM_PREFIX(JAILHOUSE_X86),
		.hypervisor_memory = { .phys_start = 0x3a000000, .size = 0x600000 },
		.debug_console = {
			.address = 0x3f8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO | JAILHOUSE_CON_REGDIST_1,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xb0000000,
			.pci_mmconfig_end_bus = 0xff,
			.iommu_units = {
				{ .type = JAILHOUSE_IOMMU_INTEL, .base = 0xfed90000,
				  .size = 0x1000 },
			},
			.x86 = {
				.pm_timer_address = 0x608,
				.vtd_interrupt_limit = 256,
			},
		},
		.root_cell = {
			.name = "x86-pc",
			.cpu_set_size = sizeof(config.cpus),
			.num_memory_regions = COUNT(config.mem_regions),
			.num_cache_regions = COUNT(config.cache_regions),
			.num_irqchips = COUNT(config.irqchips),
			.num_pio_regions = COUNT(config.pio_regions),
			.num_pci_devices = COUNT(config.pci_devices),
			.num_pci_caps = COUNT(config.pci_caps),
		},
	},
	.cpus = { 0xff },
	.mem_regions = {
		NET_SECTIONS(0x3f100000, 0),
		SAME(0x0, 0xa0000, RAM_FLAGS),
		SAME(0xa0000, 0x20000, RW),
		SAME(0xc0000, 0x40000, RO | JAILHOUSE_MEM_EXECUTE),
		SAME(0x100000, 0x39f00000, RAM_FLAGS),
		SAME(0x3a600000, 0x4b00000, RAM_FLAGS),
		SAME(0x3f200000, 0xc00000, RAM_FLAGS),
		SAME(0x3fe00000, 0x200000, RW),
		SAME(0xfd000000, 0x1000000, DEV_FLAGS),
		SAME(0xfeb80000, 0x40000, DEV_FLAGS),
		SAME(0xfebc0000, 0x10000, DEV_FLAGS),
		SAME(0xfebd1000, 0x1000, DEV_FLAGS),
		REGS(0xfebd2000, 0x40, JAILHOUSE_MEM_IO_32),
		SAME(0xfed00000, 0x1000, RO | JAILHOUSE_MEM_IO),
		SAME(0xfed1c000, 0x4000, DEV_FLAGS),
	},
	.cache_regions = {
		{ .start = 0, .size = 2, .type = JAILHOUSE_CACHE_L3,
		  .flags = JAILHOUSE_CACHE_ROOTSHARED },
	},
	.irqchips = {
		{ .address = 0xfec00000, .id = 0x1f0ff,
		  .pin_bitmap = { 0xffffff } },
	},
	.pio_regions = {
		{ .base = 0x0, .length = 0x20 },
		{ .base = 0x40, .length = 0x4 },
		{ .base = 0x60, .length = 0x2 },
		{ .base = 0x64, .length = 0x1 },
		{ .base = 0x70, .length = 0x2 },
		{ .base = 0x80, .length = 0x1 },
		{ .base = 0x2f8, .length = 0x8 },
		{ .base = 0x3b0, .length = 0x30 },
		{ .base = 0x3e8, .length = 0x8 },
		{ .base = 0x600, .length = 0x80 },
		{ .base = 0xcf8, .length = 0x8 },
		{ .base = 0xd000, .length = 0x1000 },
	},
	.pci_devices = {
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0, 0) },
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 1, 0),
		  .bar_mask = { 0xff000000, 0, 0xfffff000, 0, 0, 0 } },
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 2, 0),
		  .bar_mask = { 0xfffe0000, 0xfffe0000, 0xffffffe0, 0xffffc000, 0, 0 },
		  .caps_start = 0, .num_caps = 5,
		  .num_msi_vectors = 1, .msi_64bits = 1,
		  .num_msix_vectors = 5, .msix_region_size = 0x1000,
		  .msix_address = 0xfebd0000 },
		{ .type = JAILHOUSE_PCI_TYPE_BRIDGE, .bdf = BDF(0, 0x1e, 0),
		  .caps_start = 5, .num_caps = 1 },
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0x1f, 0) },
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0x1f, 2),
		  .bar_mask = { 0, 0, 0, 0, 0xffffffe0, 0xfffff000 },
		  .caps_start = 6, .num_caps = 3,
		  .num_msi_vectors = 1, .msi_64bits = 1, .msi_maskable = 1 },
		{ .type = JAILHOUSE_PCI_TYPE_IVSHMEM, .bdf = BDF(0, 0x0e, 0),
		  .bar_mask = MSIX_BARS, .num_msix_vectors = 2,
		  .shmem_regions_start = 0, .shmem_dev_id = 0,
		  .shmem_peers = 2, .shmem_protocol = JAILHOUSE_SHMEM_PROTO_VETH },
	},
	.pci_caps = {
		/* e1000e: power management, MSI, PCIe, MSI-X, AER */
		{ .id = 0x01, .start = 0xc8, .len = 8, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x05, .start = 0xd0, .len = 14, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x10, .start = 0xe0, .len = 20, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x11, .start = 0xa0, .len = 12, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x01 | JAILHOUSE_PCI_EXT_CAP, .start = 0x100, .len = 4 },
		/* bridge: subsystem vendor */
		{ .id = 0x0d, .start = 0x50, .len = 2 },
		/* SATA: SATA config, MSI, power management */
		{ .id = 0x12, .start = 0xa8, .len = 2 },
		{ .id = 0x05, .start = 0x80, .len = 14, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x01, .start = 0x70, .len = 8, .flags = JAILHOUSE_PCICAPS_WRITE },
	},
};
