// SPDX-License-Identifier: MIT
/*
 * A cell using every section and unusual values (a 16-byte CPU set, sub-page
 * I/O, two irqchip words, an ivshmem device with capabilities, stream IDs);
 * YAML twin: all-sections-cell.yaml.
 */
#include <jailhouse/cell-config.h>

#define RW (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)

static const struct {
	struct jailhouse_cell_desc cell;
	__u8 cpus[16];
	struct jailhouse_memory memory[4];
	struct jailhouse_cache cache[1];
	struct jailhouse_irqchip irqchips[2];
	struct jailhouse_pio pio[2];
	struct jailhouse_pci_device pci_devices[1];
	struct jailhouse_pci_capability pci_caps[2];
	__u32 stream_ids[3];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "every-section-cell-0123456789ab",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE,
		.cpu_set_size = 16,
		.num_memory_regions = 4,
		.num_cache_regions = 1,
		.num_irqchips = 2,
		.num_pio_regions = 2,
		.num_pci_devices = 1,
		.num_pci_caps = 2,
		.num_stream_ids = 3,
		.vpci_irq_base = 140,
		.cpu_reset_address = 0x80000,
		.msg_reply_timeout = 0x123456789aULL,
		.console = {
			.address = 0x09000040,
			.size = 0x8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO |
				 JAILHOUSE_CON_INVERTED_GATE,
			.divider = 0x1b,
			.gate_nr = 7,
			.clock_reg = 0xfe001000,
		},
	},
	.cpus = { 0x06, 0, 0, 0, 0, 0, 0, 0, 0x80 },
	.memory = {
		{ 0x70000000, 0x0, 0x200000,
		  RW | JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE |
			  JAILHOUSE_MEM_NO_HUGEPAGES },
		{ 0, 0x80000000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION },
		{ 0x09000040, 0x09000040, 0x8,
		  RW | JAILHOUSE_MEM_IO | JAILHOUSE_MEM_IO_32 },
		{ 0x7e000000, 0x7e000000, 0x100000,
		  JAILHOUSE_MEM_READ | JAILHOUSE_MEM_ROOTSHARED },
	},
	.cache = {
		{ .start = 0, .size = 4, .type = JAILHOUSE_CACHE_L3,
		  .flags = JAILHOUSE_CACHE_ROOTSHARED },
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { 1u << 1 | 1u << 31, 0, 0, 1u << 31 } },
		{ .address = 0x08000000, .pin_base = 160,
		  .pin_bitmap = { 0, 1u << 12, 0, 0 } },
	},
	.pio = {
		{ .base = 0x3f8, .length = 8 },
		{ .base = 0x60, .length = 1 },
	},
	.pci_devices = {
		{
			.type = JAILHOUSE_PCI_TYPE_IVSHMEM,
			.iommu = 1,
			.domain = 1,
			.bdf = 0x00 << 8 | 0x01 << 3 | 0,
			.bar_mask = { 0xfffff000, 0xfffff000, 0, 0, 0, 0 },
			.caps_start = 0,
			.num_caps = 2,
			.num_msi_vectors = 4,
			.msi_64bits = 1,
			.msi_maskable = 1,
			.num_msix_vectors = 2,
			.msix_region_size = 0x1000,
			.msix_address = 0xfee00000,
			.shmem_regions_start = 3,
			.shmem_dev_id = 1,
			.shmem_peers = 2,
			.shmem_protocol = JAILHOUSE_SHMEM_PROTO_VETH,
		},
	},
	.pci_caps = {
		{ .id = 0x05, .start = 0x50, .len = 14,
		  .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = 0x10 | JAILHOUSE_PCI_EXT_CAP, .start = 0x100, .len = 8 },
	},
	.stream_ids = { 0x10, 0x7fff, 0x12345 },
};
