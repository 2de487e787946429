/* SPDX-License-Identifier: MIT */
/*
 * The K3 board's Linux cell on CPU 1: its own UART, an MMC controller
 * whose DMA the SMMUv3 confines by stream id, and the other end of the
 * ivshmem-net link.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[9];
	struct jailhouse_irqchip irqchips[2];
	struct jailhouse_pci_device pci_devices[1];
	__u32 stream_ids[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "k3-j721e-linux",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.num_stream_ids = COUNT(config.stream_ids),
		.vpci_irq_base = 195 - 32,
		.cpu_reset_address = 0x80000,
		.msg_reply_timeout = 100000,
		.console = {
			.address = 0x02810000, .size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4 |
				 JAILHOUSE_CON_MDR_QUIRK,
			.divider = 0x1b,
		},
	},
	.cpus = { 0x2 },
	.mem_regions = {
		NET_SECTIONS(0x89fe00000, 1),
		SAME(0x02810000, 0x1000, DEV_FLAGS),
		SAME(0x04fb0000, 0x10000, DEV_FLAGS),
		REGION(0x89f800000, 0, 0x10000, LOADABLE_RAM),
		SAME(0x8a0000000, 0x20000000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0x01800000, .pin_base = 32,
		  .pin_bitmap = { 0, 0, 0, 0 } },
		{ .address = 0x01800000, .pin_base = 160,
		  .pin_bitmap = { BIT(195 - 192) | BIT(196 - 192), BIT(233 - 224), 0, 0 } },
	},
	.pci_devices = {
		IVSHMEM(3, BDF(0, 0, 0), 0, 1, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS_64K),
	},
	.stream_ids = { 0xf003 },
};
