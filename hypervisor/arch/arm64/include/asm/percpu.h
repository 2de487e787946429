/* SPDX-License-Identifier: MIT */
/* The arm64 part of struct per_cpu and struct cell. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/gicv3.h>

struct arch_per_cpu {
	struct gic_cpu gic;
};

struct arch_cell {
	struct gic_cell gic;
	/* Taken from the root so far: the first regions_taken memory
	 * regions (those not shared), the redistributors of gicr_taken. */
	unsigned int regions_taken;
	u64 gicr_taken;
	/* The configuration pages of the first pci_taken PCI devices. */
	unsigned int pci_taken;
};

#endif
