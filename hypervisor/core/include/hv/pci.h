/* SPDX-License-Identifier: MIT */
/* The root's configuration space accesses to PCI devices cells own. */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <hv/types.h>
#include <jailhouse/cell-config.h>

/* The parts of a bus/device/function number, as bb:dd.f prints them. */
#define PCI_BDF_BUS(bdf) ((bdf) >> 8)
#define PCI_BDF_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_BDF_FN(bdf) ((bdf)&7)

struct per_cpu;

u64 pci_config_page(const struct jailhouse_pci_device *dev);
long pci_check_cell(const struct jailhouse_cell_desc *c);
bool pci_root_config_access(struct per_cpu *pc, u64 addr, unsigned int size,
			    bool write, u64 *value);

#endif
