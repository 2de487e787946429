/* SPDX-License-Identifier: MIT */
/*
 * The Zynq UltraScale+ board's Linux cell: CPUs 2-3, the second UART and
 * an SD controller passed through, with the SD and Ethernet DMA masters'
 * stream ids so the SMMU confines their DMA to the cell.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[9];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[1];
	__u32 stream_ids[2];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "zynqmp-linux-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.num_stream_ids = COUNT(config.stream_ids),
		.vpci_irq_base = 140 - 32,
		.console = {
			.address = 0xff010000,
			.type = JAILHOUSE_CON_TYPE_XUARTPS,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0xc },
	.mem_regions = {
		NET_SECTIONS(0x800400000, 1),
		SAME(0xff010000, 0x1000, DEV_FLAGS | SHARED),
		SAME(0xff170000, 0x1000, DEV_FLAGS),
		REGION(0x74000000, 0, 0x10000, LOADABLE_RAM),
		SAME(0x74010000, 0x8000000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0xf9010000, .pin_base = 32,
		  .pin_bitmap = { BIT(54 - 32), BIT(81 - 64), 0, BIT(140 - 128) } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 1, 2, JAILHOUSE_SHMEM_PROTO_VETH, INTX_BARS),
	},
	.stream_ids = { 0x0871, 0x0877 },
};
