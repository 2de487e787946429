/* SPDX-License-Identifier: MIT */
/*
 * The x86 PC's e1000e demo: a bare-metal cell on CPU 4 that owns the NIC,
 * its BARs and MSI, with the capabilities it may touch.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[4];
	struct jailhouse_pio pio_regions[1];
	struct jailhouse_pci_device pci_devices[1];
	struct jailhouse_pci_capability pci_caps[3];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_X86),
		.name = "e1000-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_pio_regions = COUNT(config.pio_regions),
		.num_pci_devices = COUNT(config.pci_devices),
		.num_pci_caps = COUNT(config.pci_caps),
		.console = {
			.address = 0x3f8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO,
		},
	},
	.cpus = { 0x10 },
	.mem_regions = {
		REGION(0x3f200000, 0, 0x00100000, LOADABLE_RAM),
		REGION(0, 0x00100000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION),
		SAME(0xfebc0000, 0x10000, DEV_FLAGS),
		SAME(0xfeba0000, 0x4000, DEV_FLAGS),
	},
	.pio_regions = {
		{ .base = 0xc000, .length = 0x20 },
	},
	.pci_devices = {
		{ .type = JAILHOUSE_PCI_TYPE_DEVICE, .bdf = BDF(0, 0x19, 0),
		  .bar_mask = { 0xfffe0000, 0xfffff000, 0xffffffe0, 0, 0, 0 },
		  .caps_start = 0, .num_caps = 3,
		  .num_msi_vectors = 1, .msi_64bits = 1 },
	},
	.pci_caps = {
		{ .id = 0x01, .start = 0xc8, .len = 8, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x05, .start = 0xd0, .len = 14, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x13, .start = 0xe0, .len = 6 },
	},
};
