// SPDX-License-Identifier: MIT
/*
 * An x86 system config with IOMMU units (AMD and TI PVU unions), a signed
 * root cell header and PCI; YAML twin: x86-system.yaml.
 */
#include <jailhouse/cell-config.h>

static const struct {
	struct jailhouse_system header;
	__u8 cpus[8];
	struct jailhouse_memory memory[1];
	struct jailhouse_pio pio[1];
} __attribute__((packed)) config = {
	.header = {
		.signature = JAILHOUSE_SYSTEM_SIGNATURE,
		.architecture = JAILHOUSE_X86,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.hypervisor_memory = { .phys_start = 0x3a000000,
				       .size = 0x600000 },
		.debug_console = {
			.address = 0x3f8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO,
		},
		.platform_info = {
			.pci_mmconfig_base = 0xb0000000,
			.pci_mmconfig_end_bus = 0xff,
			.pci_domain = 0,
			.iommu_units = {
				{ .type = JAILHOUSE_IOMMU_AMD, .base = 0xfeb80000,
				  .size = 0x80000,
				  .amd = { .bdf = 0x02, .base_cap = 0x40,
					   .msi_cap = 0x64,
					   .features = 0x80048824 } },
				{ .type = JAILHOUSE_IOMMU_PVU, .base = 0x30f80000,
				  .size = 0x1000,
				  .tipvu = { .tlb_base = 0x36000000,
					     .tlb_size = 0x40000 } },
			},
			.x86 = {
				.pm_timer_address = 0x608,
				.apic_mode = 2,
				.vtd_interrupt_limit = 256,
				.tsc_khz = 2400000,
				.apic_khz = 1000000,
			},
		},
		.root_cell = {
			.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
			.architecture = JAILHOUSE_X86,
			.revision = JAILHOUSE_CONFIG_REVISION,
			.name = "x86-root",
			.cpu_set_size = 8,
			.num_memory_regions = 1,
			.num_pio_regions = 1,
		},
	},
	.cpus = { 0xff },
	.memory = {
		{ 0x0, 0x0, 0x3a000000,
		  JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			  JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_DMA },
	},
	.pio = { { .base = 0x0, .length = 0xffff } },
};
