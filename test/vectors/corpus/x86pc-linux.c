/* SPDX-License-Identifier: MIT */
/*
 * The x86 PC's Linux cell: CPUs 1-2, a loader page at 0 and 88 MiB of RAM,
 * the third serial port with its IOAPIC pin, the other end of ivshmem-net
 * (MSI-X), and its own slice of the L3 cache.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[7];
	struct jailhouse_cache cache_regions[1];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pio pio_regions[2];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_X86),
		.name = "linux-x86-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_cache_regions = COUNT(config.cache_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pio_regions = COUNT(config.pio_regions),
		.num_pci_devices = COUNT(config.pci_devices),
		.console = {
			.address = 0x3e8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO,
		},
	},
	.cpus = { 0x6 },
	.mem_regions = {
		NET_SECTIONS(0x3f100000, 1),
		REGION(0x3a600000, 0, 0x00100000, LOADABLE_RAM),
		REGION(0x3a700000, 0x00200000, 0x4900000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		REGION(0, 0xff000000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION),
	},
	.cache_regions = {
		{ .start = 3, .size = 2, .type = JAILHOUSE_CACHE_L3 },
	},
	.irqchips = {
		{ .address = 0xfec00000, .id = 0x1f0ff, .pin_bitmap = { BIT(4) } },
	},
	.pio_regions = {
		{ .base = 0x3e8, .length = 8 },
		{ .base = 0x608, .length = 4 },
	},
	.pci_devices = {
		{ .type = JAILHOUSE_PCI_TYPE_IVSHMEM, .bdf = BDF(0, 0x0e, 0),
		  .bar_mask = MSIX_BARS, .num_msix_vectors = 2,
		  .shmem_regions_start = 0, .shmem_dev_id = 1,
		  .shmem_peers = 2, .shmem_protocol = JAILHOUSE_SHMEM_PROTO_VETH },
	},
};
