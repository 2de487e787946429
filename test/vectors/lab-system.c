// SPDX-License-Identifier: MIT
/* The lab host's system config; YAML twin: examples/lab/system.yaml. */
#include <jailhouse/cell-config.h>

#define RW (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)

static const struct {
	struct jailhouse_system header;
	__u8 cpus[8];
	struct jailhouse_memory memory[5];
	struct jailhouse_irqchip irqchips[1];
} __attribute__((packed)) config = {
	.header = {
		.signature = JAILHOUSE_SYSTEM_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.flags = JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE,
		.hypervisor_memory = { .phys_start = 0x7f000000, .size = 0x1000000 },
		.debug_console = {
			.address = 0x09000000,
			.size = 0x1000,
			.type = JAILHOUSE_CON_TYPE_PL011,
			.flags = JAILHOUSE_CON_ACCESS_MMIO | JAILHOUSE_CON_REGDIST_4,
		},
		.platform_info.arm = {
			.maintenance_irq = 25,
			.gic_version = 3,
			.gicd_base = 0x08000000,
			.gicr_base = 0x080a0000,
		},
		.root_cell = {
			.name = "lab-root",
			.cpu_set_size = 8,
			.num_memory_regions = 5,
			.num_irqchips = 1,
		},
	},
	.cpus = { 0x0f },
	.memory = {
		{ 0x0, 0x0, 0x8000000, RW | JAILHOUSE_MEM_IO },
		{ 0x09000000, 0x09000000, 0x37000000, RW | JAILHOUSE_MEM_IO },
		{ 0x40000000, 0x40000000, 0x3f000000,
		  RW | JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA },
		{ 0x4010000000ULL, 0x4010000000ULL, 0x10000000,
		  RW | JAILHOUSE_MEM_IO },
		{ 0x8000000000ULL, 0x8000000000ULL, 0x8000000000ULL,
		  RW | JAILHOUSE_MEM_IO },
	},
	.irqchips = {
		{ .address = 0x08000000, .pin_base = 32,
		  .pin_bitmap = { ~0u, ~0u, ~0u, ~0u } },
	},
};
