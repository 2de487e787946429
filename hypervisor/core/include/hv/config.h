/* SPDX-License-Identifier: MIT */
/* Accessors for the system configuration copied behind the per-CPU areas. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <hv/types.h>
#include <hv/layout.h>
#include <jailhouse/cell-config.h>

extern struct jailhouse_system *system_config;

static inline const u8 *cell_cpu_set(const struct jailhouse_cell_desc *cell)
{
	return (const u8 *)(cell + 1);
}

static inline const struct jailhouse_memory *
cell_mem_regions(const struct jailhouse_cell_desc *cell)
{
	return (const struct jailhouse_memory *)(cell_cpu_set(cell) +
						 cell->cpu_set_size);
}

static inline const struct jailhouse_pci_device *
cell_pci_devices(const struct jailhouse_cell_desc *cell)
{
	const u8 *p =
		(const u8 *)(cell_mem_regions(cell) + cell->num_memory_regions);

	return (const struct jailhouse_pci_device
			*)(p + cell->num_cache_regions * JAILHOUSE_CACHE_SIZE +
			   cell->num_irqchips * JAILHOUSE_IRQCHIP_SIZE +
			   cell->num_pio_regions * JAILHOUSE_PIO_SIZE);
}

static inline bool cell_has_cpu(const struct jailhouse_cell_desc *cell,
				unsigned int cpu)
{
	return cpu / 8 < cell->cpu_set_size &&
	       (cell_cpu_set(cell)[cpu / 8] & (1u << (cpu % 8)));
}

/* The CPUs of @cell's CPU set, as a mask (CPU n is bit n). */
static inline u64 cell_cpu_mask(const struct jailhouse_cell_desc *cell)
{
	u64 mask = 0;
	unsigned int n;

	for (n = 0; n < HV_MAX_CPUS; n++)
		if (cell_has_cpu(cell, n))
			mask |= BIT(n);
	return mask;
}

/* Both ranges must end before 2^64 (regions are checked for that). */
static inline bool ranges_overlap(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

#endif
