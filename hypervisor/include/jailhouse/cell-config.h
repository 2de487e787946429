/* SPDX-License-Identifier: MIT */
/*
 * The binary configuration format (.cell files), revision 14.
 *
 * This is the one definition of the layout: the hypervisor and the driver
 * include it, and test/unit/config/abi-vectors.test.ts compiles C
 * initialisers against it and compares them byte for byte with the
 * TypeScript encoder in provider/src/config/codec.ts. Names and offsets are
 * those of Jailhouse revision 14 so that .cell files move freely between the
 * two implementations.
 *
 * A file is one struct jailhouse_system or struct jailhouse_cell_desc
 * followed, without padding, by its variable sections in this order: CPU
 * bitmap, memory regions, cache regions, irqchips, PIO ranges, PCI devices,
 * PCI capabilities, stream IDs. Everything is packed and little-endian.
 */
#ifndef JAILHOUSE_CELL_CONFIG_H
#define JAILHOUSE_CELL_CONFIG_H

#if defined(__ASSEMBLY__) || defined(HV_TYPES_H)
/* Constants only, or the hypervisor's own types (hv/types.h) are in use. */
#elif defined(__KERNEL__) || defined(__linux__)
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
#endif

#define JAILHOUSE_CONFIG_REVISION 14

#define JAILHOUSE_SYSTEM_SIGNATURE "JHSYS"
#define JAILHOUSE_CELL_DESC_SIGNATURE "JHCLL"
#define JAILHOUSE_SIGNATURE_SIZE 5

#define JAILHOUSE_X86 0
#define JAILHOUSE_ARM 1
#define JAILHOUSE_ARM64 2

/* Including the terminating NUL. */
#define JAILHOUSE_CELL_NAME_LEN 32
#define JAILHOUSE_CELL_NAME_MAXLEN (JAILHOUSE_CELL_NAME_LEN - 1)

/* Cell flags (struct jailhouse_cell_desc.flags). */
#define JAILHOUSE_CELL_PASSIVE_COMMREG 0x00000001
#define JAILHOUSE_CELL_TEST_DEVICE 0x00000002
#define JAILHOUSE_CELL_AARCH32 0x00000004
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE 0x80000000

/* Memory region flags (struct jailhouse_memory.flags). */
#define JAILHOUSE_MEM_READ 0x0001
#define JAILHOUSE_MEM_WRITE 0x0002
#define JAILHOUSE_MEM_EXECUTE 0x0004
#define JAILHOUSE_MEM_DMA 0x0008
#define JAILHOUSE_MEM_IO 0x0010
#define JAILHOUSE_MEM_COMM_REGION 0x0020
#define JAILHOUSE_MEM_LOADABLE 0x0040
#define JAILHOUSE_MEM_ROOTSHARED 0x0080
#define JAILHOUSE_MEM_NO_HUGEPAGES 0x0100
#define JAILHOUSE_MEM_IO_UNALIGNED 0x8000
#define JAILHOUSE_MEM_IO_WIDTH_SHIFT 16
#define JAILHOUSE_MEM_IO_8 (1 << JAILHOUSE_MEM_IO_WIDTH_SHIFT)
#define JAILHOUSE_MEM_IO_16 (2 << JAILHOUSE_MEM_IO_WIDTH_SHIFT)
#define JAILHOUSE_MEM_IO_32 (4 << JAILHOUSE_MEM_IO_WIDTH_SHIFT)
#define JAILHOUSE_MEM_IO_64 (8 << JAILHOUSE_MEM_IO_WIDTH_SHIFT)

/* Cache region types and flags (x86 CAT). */
#define JAILHOUSE_CACHE_L3_CODE 0x01
#define JAILHOUSE_CACHE_L3_DATA 0x02
#define JAILHOUSE_CACHE_L3 (JAILHOUSE_CACHE_L3_CODE | JAILHOUSE_CACHE_L3_DATA)
#define JAILHOUSE_CACHE_ROOTSHARED 0x0001

/* Console types and flags (struct jailhouse_console). */
#define JAILHOUSE_CON_TYPE_NONE 0x0000
#define JAILHOUSE_CON_TYPE_EFIFB 0x0001
#define JAILHOUSE_CON_TYPE_8250 0x0002
#define JAILHOUSE_CON_TYPE_PL011 0x0003
#define JAILHOUSE_CON_TYPE_XUARTPS 0x0004
#define JAILHOUSE_CON_TYPE_MVEBU 0x0005
#define JAILHOUSE_CON_TYPE_HSCIF 0x0006
#define JAILHOUSE_CON_TYPE_SCIFA 0x0007
#define JAILHOUSE_CON_TYPE_IMX 0x0008
#define JAILHOUSE_CON_TYPE_IMX_LPUART 0x0009
#define JAILHOUSE_CON_TYPE_SCIF 0x000a

#define JAILHOUSE_CON_ACCESS_PIO 0x0000
#define JAILHOUSE_CON_ACCESS_MMIO 0x0001
#define JAILHOUSE_CON_REGDIST_1 0x0000
#define JAILHOUSE_CON_REGDIST_4 0x0002
#define JAILHOUSE_CON_FB_1024x768 0x0000
#define JAILHOUSE_CON_FB_1920x1080 0x0004
#define JAILHOUSE_CON_INVERTED_GATE 0x1000
#define JAILHOUSE_CON_MDR_QUIRK 0x2000

/* PCI device types, capability flags, ivshmem protocols. */
#define JAILHOUSE_PCI_TYPE_DEVICE 0x01
#define JAILHOUSE_PCI_TYPE_BRIDGE 0x02
#define JAILHOUSE_PCI_TYPE_IVSHMEM 0x03
#define JAILHOUSE_PCI_EXT_CAP 0x8000
#define JAILHOUSE_PCICAPS_WRITE 0x0001
#define JAILHOUSE_SHMEM_PROTO_UNDEFINED 0x0000
#define JAILHOUSE_SHMEM_PROTO_VETH 0x0001

/* IOMMU unit types and the system's fixed number of units. */
#define JAILHOUSE_IOMMU_UNUSED 0
#define JAILHOUSE_IOMMU_AMD 1
#define JAILHOUSE_IOMMU_INTEL 2
#define JAILHOUSE_IOMMU_SMMUV3 3
#define JAILHOUSE_IOMMU_PVU 4
#define JAILHOUSE_IOMMU_ARM_MMU500 5
#define JAILHOUSE_MAX_IOMMU_UNITS 8

/* System flags (struct jailhouse_system.flags). */
#define JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE 0x0001

/* Fixed sizes, checked below and by the TypeScript codec's tests. */
#define JAILHOUSE_CELL_DESC_SIZE 132
#define JAILHOUSE_SYSTEM_SIZE 488
#define JAILHOUSE_MEMORY_SIZE 32
#define JAILHOUSE_CACHE_SIZE 12
#define JAILHOUSE_IRQCHIP_SIZE 32
#define JAILHOUSE_PIO_SIZE 4
#define JAILHOUSE_PCI_DEVICE_SIZE 56
#define JAILHOUSE_PCI_CAPABILITY_SIZE 8
#define JAILHOUSE_STREAM_ID_SIZE 4
#define JAILHOUSE_IOMMU_SIZE 28
#define JAILHOUSE_CONSOLE_SIZE 32

#ifndef __ASSEMBLY__

#define JAILHOUSE_PACKED __attribute__((packed))

struct jailhouse_console {
	__u64 address;
	__u32 size;
	__u16 type;
	__u16 flags;
	__u32 divider;
	__u32 gate_nr;
	__u64 clock_reg;
} JAILHOUSE_PACKED;

struct jailhouse_cell_desc {
	char signature[JAILHOUSE_SIGNATURE_SIZE];
	__u8 architecture;
	__u16 revision;

	char name[JAILHOUSE_CELL_NAME_LEN];
	/* Assigned by the driver at creation; files carry 0. */
	__u32 id;
	__u32 flags;

	__u32 cpu_set_size;
	__u32 num_memory_regions;
	__u32 num_cache_regions;
	__u32 num_irqchips;
	__u32 num_pio_regions;
	__u32 num_pci_devices;
	__u32 num_pci_caps;
	__u32 num_stream_ids;

	__u32 vpci_irq_base;

	__u64 cpu_reset_address;
	__u64 msg_reply_timeout;

	struct jailhouse_console console;
} JAILHOUSE_PACKED;

struct jailhouse_memory {
	__u64 phys_start;
	__u64 virt_start;
	__u64 size;
	__u64 flags;
} JAILHOUSE_PACKED;

struct jailhouse_cache {
	__u32 start;
	__u32 size;
	__u8 type;
	__u8 padding;
	__u16 flags;
} JAILHOUSE_PACKED;

struct jailhouse_irqchip {
	__u64 address;
	__u32 id;
	/* First interrupt of pin_bitmap; a multiple of 32. */
	__u32 pin_base;
	__u32 pin_bitmap[4];
} JAILHOUSE_PACKED;

struct jailhouse_pio {
	__u16 base;
	__u16 length;
} JAILHOUSE_PACKED;

struct jailhouse_pci_device {
	__u8 type;
	__u8 iommu;
	__u16 domain;
	__u16 bdf;
	__u32 bar_mask[6];
	__u16 caps_start;
	__u16 num_caps;
	__u8 num_msi_vectors;
	__u8 msi_64bits : 1;
	__u8 msi_maskable : 1;
	__u16 num_msix_vectors;
	__u16 msix_region_size;
	__u64 msix_address;
	/* Index of the first of the device's regions in the memory array. */
	__u32 shmem_regions_start;
	__u8 shmem_dev_id;
	__u8 shmem_peers;
	__u16 shmem_protocol;
} JAILHOUSE_PACKED;

struct jailhouse_pci_capability {
	__u16 id;
	__u16 start;
	__u16 len;
	__u16 flags;
} JAILHOUSE_PACKED;

struct jailhouse_iommu {
	__u32 type;
	__u64 base;
	__u32 size;
	union {
		struct {
			__u16 bdf;
			__u8 base_cap;
			__u8 msi_cap;
			__u32 features;
		} JAILHOUSE_PACKED amd;
		struct {
			__u64 tlb_base;
			__u32 tlb_size;
		} JAILHOUSE_PACKED tipvu;
	};
} JAILHOUSE_PACKED;

struct jailhouse_system {
	char signature[JAILHOUSE_SIGNATURE_SIZE];
	__u8 architecture;
	__u16 revision;

	__u32 flags;

	/* Only phys_start and size are used. */
	struct jailhouse_memory hypervisor_memory;
	struct jailhouse_console debug_console;
	struct {
		__u64 pci_mmconfig_base;
		__u8 pci_mmconfig_end_bus;
		__u8 pci_is_virtual;
		__u16 pci_domain;
		struct jailhouse_iommu iommu_units[JAILHOUSE_MAX_IOMMU_UNITS];
		union {
			struct {
				__u16 pm_timer_address;
				__u8 apic_mode;
				__u8 padding;
				__u32 vtd_interrupt_limit;
				__u32 tsc_khz;
				__u32 apic_khz;
			} JAILHOUSE_PACKED x86;
			struct {
				__u8 maintenance_irq;
				__u8 gic_version;
				__u8 padding[2];
				__u64 gicd_base;
				__u64 gicc_base;
				__u64 gich_base;
				__u64 gicv_base;
				__u64 gicr_base;
			} JAILHOUSE_PACKED arm;
		} JAILHOUSE_PACKED;
	} JAILHOUSE_PACKED platform_info;
	struct jailhouse_cell_desc root_cell;
} JAILHOUSE_PACKED;

/* Each structure is exactly as large as the ABI says. */
#define JAILHOUSE_CHECK_SIZE(type, size)                                       \
	_Static_assert(sizeof(struct type) == (size), #type " size")
JAILHOUSE_CHECK_SIZE(jailhouse_console, JAILHOUSE_CONSOLE_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_cell_desc, JAILHOUSE_CELL_DESC_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_memory, JAILHOUSE_MEMORY_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_cache, JAILHOUSE_CACHE_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_irqchip, JAILHOUSE_IRQCHIP_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_pio, JAILHOUSE_PIO_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_pci_device, JAILHOUSE_PCI_DEVICE_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_pci_capability, JAILHOUSE_PCI_CAPABILITY_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_iommu, JAILHOUSE_IOMMU_SIZE);
JAILHOUSE_CHECK_SIZE(jailhouse_system, JAILHOUSE_SYSTEM_SIZE);

/* Size of a cell configuration with all its variable sections. */
static inline __u64
jailhouse_cell_config_size(const struct jailhouse_cell_desc *cell)
{
	return sizeof(struct jailhouse_cell_desc) + cell->cpu_set_size +
	       (__u64)cell->num_memory_regions * JAILHOUSE_MEMORY_SIZE +
	       (__u64)cell->num_cache_regions * JAILHOUSE_CACHE_SIZE +
	       (__u64)cell->num_irqchips * JAILHOUSE_IRQCHIP_SIZE +
	       (__u64)cell->num_pio_regions * JAILHOUSE_PIO_SIZE +
	       (__u64)cell->num_pci_devices * JAILHOUSE_PCI_DEVICE_SIZE +
	       (__u64)cell->num_pci_caps * JAILHOUSE_PCI_CAPABILITY_SIZE +
	       (__u64)cell->num_stream_ids * JAILHOUSE_STREAM_ID_SIZE;
}

/* The root cell's sections follow the system struct directly. */
static inline __u64
jailhouse_system_config_size(const struct jailhouse_system *system)
{
	return sizeof(*system) - sizeof(system->root_cell) +
	       jailhouse_cell_config_size(&system->root_cell);
}

#endif /* !__ASSEMBLY__ */

#endif /* JAILHOUSE_CELL_CONFIG_H */
