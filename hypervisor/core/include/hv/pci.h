/* SPDX-License-Identifier: MIT */
/* The root's configuration space accesses to PCI devices cells own. */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <hv/types.h>
#include <jailhouse/cell-config.h>

struct per_cpu;

u64 pci_config_page(const struct jailhouse_pci_device *dev);
long pci_check_cell(const struct jailhouse_cell_desc *c);
bool pci_root_config_access(struct per_cpu *pc, u64 addr, unsigned int size,
			    bool write, u64 *value);

#endif
