/* SPDX-License-Identifier: MIT */
/*
 * The communication region every non-root cell sees at the address of its
 * comm-region memory entry: one page the hypervisor fills at creation and
 * keeps the cell state in. Field order and meaning are Jailhouse's (arm64),
 * so inmates written for Jailhouse find their way around.
 */
#ifndef JAILHOUSE_COMM_REGION_H
#define JAILHOUSE_COMM_REGION_H

#define COMM_REGION_ABI_REVISION 2
#define COMM_REGION_MAGIC "JHCOMM"

#define JAILHOUSE_MSG_NONE 0

/* msg_to_cell: what the hypervisor asks or tells the cell. */
#define JAILHOUSE_MSG_SHUTDOWN_REQUEST 1
#define JAILHOUSE_MSG_RECONFIG_COMPLETED 2

/* reply_from_cell: the cell's answer to msg_to_cell. */
#define JAILHOUSE_MSG_UNKNOWN 1
#define JAILHOUSE_MSG_REQUEST_DENIED 2
#define JAILHOUSE_MSG_REQUEST_APPROVED 3
#define JAILHOUSE_MSG_RECEIVED 4

#ifndef __ASSEMBLY__
struct jailhouse_comm_region {
	char signature[6];
	__u16 revision;
	volatile __u32 cell_state;
	volatile __u32 msg_to_cell;
	volatile __u32 reply_from_cell;
	__u32 flags;
	struct jailhouse_console console;
	/* Where the cell finds its virtual PCI config space (0: none). */
	__u64 pci_mmconfig_base;
	/* arm64 platform part */
	__u8 gic_version;
	__u8 padding[7];
	__u64 gicd_base;
	__u64 gicc_base;
	__u64 gicr_base;
	__u32 vpci_irq_base;
} __attribute__((packed));
#endif

#endif
