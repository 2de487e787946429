/* SPDX-License-Identifier: MIT */
/*
 * The GICv2 SoC's Linux cell: CPUs 6-7, 256 MiB, its own UART (a sub-page
 * slice of the UART block, 32-bit accesses), the other end of ivshmem-net.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[8];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_ARM64),
		.name = "gicv2-soc-linux",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.vpci_irq_base = 204 - 32,
		.console = {
			.address = 0xf7113000, .size = 0x100,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0xc0 },
	.mem_regions = {
		NET_SECTIONS(0x3f000000, 1),
		REGS(0xf7113000, 0x100, JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_32),
		REGION(0x3ce00000, 0, 0x10000, LOADABLE_RAM),
		SAME(0x2ce00000, 0x10000000, RAM_FLAGS | JAILHOUSE_MEM_LOADABLE),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0xf6801000, .pin_base = 160,
		  .pin_bitmap = { BIT(7), 0, 0, BIT(204 - 160 - 32) | BIT(205 - 160 - 32) } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 1, 2, JAILHOUSE_SHMEM_PROTO_VETH, MSIX_BARS),
	},
};
