/* SPDX-License-Identifier: MIT */
/*
 * PCI devices a cell owns, seen from the root's side. The root keeps the
 * PCI configuration space (ECAM) and Linux keeps enumerating and saving
 * it, but while a cell owns a device the root must not move its BARs or
 * turn its decoding or bus mastering off or on: that would take the
 * device away from the cell, or point it somewhere else. So the device's
 * 4 KiB configuration page is taken out of the root's stage 2 (see
 * arch_cell_create) and the root's accesses to it come here: reads and
 * other writes reach the device, writes to the command register, the BARs
 * and the expansion ROM BAR are ignored.
 */
#include <hv/cell.h>
#include <hv/errno.h>
#include <hv/mmio.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_END 0x06
#define PCI_BARS 0x10
#define PCI_BARS_END 0x28
#define PCI_ROM_BAR 0x30
#define PCI_ROM_BAR_END 0x34

/* The device's configuration page, or 0 if it has none in the ECAM. */
u64 pci_config_page(const struct jailhouse_pci_device *dev)
{
	u64 base = system_config->platform_info.pci_mmconfig_base;

	if (!base || dev->type != JAILHOUSE_PCI_TYPE_DEVICE ||
	    dev->domain != system_config->platform_info.pci_domain ||
	    (dev->bdf >> 8) > system_config->platform_info.pci_mmconfig_end_bus)
		return 0;
	return base + ((u64)dev->bdf << 12);
}

/* The cell that owns the configuration page at @page, if any. */
static struct cell *page_owner(u64 page,
			       const struct jailhouse_pci_device **dev)
{
	unsigned int id, n;

	for (id = 1; id < HV_MAX_CELLS; id++) {
		struct cell *cell = cell_by_id(id);
		const struct jailhouse_pci_device *d;

		if (!cell)
			continue;
		d = cell_pci_devices(cell->config);
		for (n = 0; n < cell->config->num_pci_devices; n++, d++)
			if (pci_config_page(d) == page) {
				*dev = d;
				return cell;
			}
	}
	return NULL;
}

/* Whether another cell than @cell owns a device of @cell's config. */
long pci_check_cell(const struct jailhouse_cell_desc *c)
{
	const struct jailhouse_pci_device *d = cell_pci_devices(c), *other;
	unsigned int n;
	struct cell *owner;

	for (n = 0; n < c->num_pci_devices; n++, d++) {
		u64 page = pci_config_page(d);

		if (!page)
			continue;
		owner = page_owner(page, &other);
		if (owner) {
			printk("Cell create: PCI device %02x:%02x.%x belongs "
			       "to cell \"%s\"\n",
			       PCI_BDF_BUS(d->bdf), PCI_BDF_DEV(d->bdf),
			       PCI_BDF_FN(d->bdf), owner->config->name);
			return -EBUSY;
		}
	}
	return 0;
}

static bool touches(u64 reg, unsigned int size, u64 start, u64 end)
{
	return reg < end && start < reg + size;
}

/*
 * A root access that trapped at @addr. False if no cell owns the device
 * there (the caller refuses the access as for any address outside the
 * root). Called only for single loads and stores of 1, 2, 4 or 8 bytes.
 */
bool pci_root_config_access(struct per_cpu *pc, u64 addr, unsigned int size,
			    bool write, u64 *value)
{
	const struct jailhouse_pci_device *dev = NULL;
	struct cell *owner = page_owner(addr & ~(u64)HV_PAGE_OFFSET_MASK, &dev);
	u64 reg = addr & HV_PAGE_OFFSET_MASK;

	if (!owner || addr & (size - 1))
		return false;
	if (!write) {
		*value = mmio_read(addr, size);
		return true;
	}
	if (touches(reg, size, PCI_COMMAND, PCI_COMMAND_END) ||
	    touches(reg, size, PCI_BARS, PCI_BARS_END) ||
	    touches(reg, size, PCI_ROM_BAR, PCI_ROM_BAR_END)) {
		if (!__atomic_exchange_n(&owner->pci_write_logged, true,
					 __ATOMIC_RELAXED))
			printk("Root cell CPU %u: write to config register "
			       "0x%llx of PCI device %02x:%02x.%x ignored: "
			       "cell \"%s\" owns the device (further ones "
			       "are not logged)\n",
			       pc->cpu_id, reg, PCI_BDF_BUS(dev->bdf),
			       PCI_BDF_DEV(dev->bdf), PCI_BDF_FN(dev->bdf),
			       owner->config->name);
		return true;
	}
	mmio_write(addr, size, *value);
	return true;
}
