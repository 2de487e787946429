/* SPDX-License-Identifier: MIT */
/*
 * Shorthands for the corpus: configs for many kinds of boards, each laid out
 * the way Jailhouse's own board configs are (one packed struct holding the
 * header, the CPU set and then every section in file order), written for
 * this project. test/unit/config/corpus.test.ts builds them as Jailhouse's
 * build does (gcc -c, then objcopy -O binary) and round-trips the bytes.
 */
#include <jailhouse/cell-config.h>

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define BDF(bus, dev, fn) ((bus) << 8 | (dev) << 3 | (fn))

#define RO JAILHOUSE_MEM_READ
#define RW (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)
#define RWX (RW | JAILHOUSE_MEM_EXECUTE)
#define RAM_FLAGS (RWX | JAILHOUSE_MEM_DMA)
#define DEV_FLAGS (RW | JAILHOUSE_MEM_IO)
#define SHARED JAILHOUSE_MEM_ROOTSHARED
#define LOADABLE_RAM (RWX | JAILHOUSE_MEM_LOADABLE)

#define REGION(phys, virt, bytes, access) \
	{ .phys_start = (phys), .virt_start = (virt), .size = (bytes), .flags = (access) }
#define SAME(phys, bytes, access) REGION(phys, phys, bytes, access)
#define COMM_PAGE REGION(0, 0x80000000, 0x1000, RW | JAILHOUSE_MEM_COMM_REGION)
/* Register blocks smaller than a page are trapped and emulated. */
#define REGS(phys, bytes, width) SAME(phys, bytes, DEV_FLAGS | (width))

#define SYSTEM_PREFIX(arch) \
	.signature = JAILHOUSE_SYSTEM_SIGNATURE, .architecture = (arch), \
	.revision = JAILHOUSE_CONFIG_REVISION
#define CELL_PREFIX(arch) \
	.signature = JAILHOUSE_CELL_DESC_SIGNATURE, .architecture = (arch), \
	.revision = JAILHOUSE_CONFIG_REVISION

/* Writable only for the peer that owns an output section. */
#define OWN(me, peer) ((me) == (peer) ? JAILHOUSE_MEM_WRITE : 0)

/*
 * ivshmem-net between two peers: a read-only state table, a read/write
 * section the protocol leaves unused (so it is empty, but still counted by
 * the device's shmem_regions_start), and one output section per peer.
 */
#define NET_SECTIONS(base, me) \
	SAME(base, 0x1000, RO | SHARED), \
	{ 0 }, \
	SAME((base) + 0x1000, 0x7f000, RO | SHARED | OWN(me, 0)), \
	SAME((base) + 0x80000, 0x7f000, RO | SHARED | OWN(me, 1))

/* The three-peer ivshmem demo: state, a common read/write part, outputs. */
#define DEMO_SECTIONS(base, me) \
	SAME(base, 0x1000, RO | SHARED), \
	SAME((base) + 0x1000, 0x9000, RW | SHARED), \
	SAME((base) + 0xa000, 0x2000, RO | SHARED | OWN(me, 0)), \
	SAME((base) + 0xc000, 0x2000, RO | SHARED | OWN(me, 1)), \
	SAME((base) + 0xe000, 0x2000, RO | SHARED | OWN(me, 2))

#define INTX_BARS { 0xfffff000, 0, 0, 0, 0, 0 }
#define MSIX_BARS { 0xfffff000, 0xfffff000, 0, 0, 0, 0 }
#define INTX_BARS_64K { 0xffff0000, 0, 0, 0, 0, 0 }

#define IVSHMEM(dom, where, first, id, peers, proto, bars) { \
	.type = JAILHOUSE_PCI_TYPE_IVSHMEM, .domain = (dom), .bdf = (where), \
	.bar_mask = bars, .shmem_regions_start = (first), \
	.shmem_dev_id = (id), .shmem_peers = (peers), \
	.shmem_protocol = (proto) }

/* One 32-interrupt word of an irqchip bitmap, from bit numbers. */
#define BIT(n) (1u << (n))
