/* SPDX-License-Identifier: MIT */
/* QEMU virt, arm64: a bare-metal demo cell on CPU 1, peer 1 of the ivshmem demo. */
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
		.name = "inmate-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.num_pci_devices = COUNT(config.pci_devices),
		.vpci_irq_base = 144 - 32,
		.console = {
			.address = 0x09000000,
			.type = JAILHOUSE_CON_TYPE_PL011,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x2 },
	.mem_regions = {
		DEMO_SECTIONS(0x7faf0000, 1),
		SAME(0x09000000, 0x1000, DEV_FLAGS | SHARED),
		REGION(0x7fa00000, 0, 0x10000, LOADABLE_RAM),
		COMM_PAGE,
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { 0, 0, 0, BIT(144 - 128) } },
	},
	.pci_devices = {
		IVSHMEM(1, BDF(0, 0, 0), 0, 1, 3, JAILHOUSE_SHMEM_PROTO_UNDEFINED, INTX_BARS),
	},
};
