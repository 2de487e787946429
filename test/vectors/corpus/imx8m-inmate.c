/* SPDX-License-Identifier: MIT */
/*
 * The i.MX8M board's bare-metal cell: an AArch32 inmate on CPU 3 using the
 * fourth UART, driven through an LPUART-compatible console description.
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
		.name = "imx8m-inmate-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG | JAILHOUSE_CELL_AARCH32 |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.vpci_irq_base = 71,
		.console = {
			.address = 0x30a60000,
			.type = JAILHOUSE_CON_TYPE_IMX_LPUART,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x8 },
	.mem_regions = {
		DEMO_SECTIONS(0xbba00000, 1),
		SAME(0x30a60000, 0x1000, DEV_FLAGS | SHARED),
		REGION(0xc0000000, 0, 0x10000, LOADABLE_RAM),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0x38800000, .pin_base = 96,
		  .pin_bitmap = { BIT(71 + 32 - 96) } },
	},
	.pci_devices = {
		IVSHMEM(0, BDF(0, 0, 0), 0, 1, 3, JAILHOUSE_SHMEM_PROTO_UNDEFINED, INTX_BARS),
	},
};
