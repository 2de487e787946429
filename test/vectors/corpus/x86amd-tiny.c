/* SPDX-License-Identifier: MIT */
/*
 * The AMD server's test cell: CPU 15 with the hypervisor's test device,
 * no console of its own, a timeout for its answer to a shutdown request,
 * and a pin of the second IOAPIC.
 */
#include "corpus.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.cell = {
		CELL_PREFIX(JAILHOUSE_X86),
		.name = "tiny-demo",
		.flags = JAILHOUSE_CELL_TEST_DEVICE,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = COUNT(config.mem_regions),
		.num_irqchips = COUNT(config.irqchips),
		.msg_reply_timeout = 1000000,
	},
	.cpus = { 0x8000 },
	.mem_regions = {
		REGION(0x7d000000, 0, 0x00100000, LOADABLE_RAM),
		REGION(0, 0x00100000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION),
	},
	.irqchips = {
		{ .address = 0xfec01000, .id = 0x00a1, .pin_base = 24,
		  .pin_bitmap = { BIT(5) } },
	},
};
