/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's console ring, readable by the root cell (read-only in its
 * stage-2) and by the driver. The writer sets busy, stores bytes at
 * content[tail % size], advances tail and clears busy. A reader copies the
 * ring and retries while busy is set or tail moved under it.
 */
#ifndef JAILHOUSE_VIRT_CONSOLE_H
#define JAILHOUSE_VIRT_CONSOLE_H

/* Whole ring area in bytes: header line plus content, a page multiple. */
#define JAILHOUSE_VIRT_CONSOLE_AREA 0x4000
#define JAILHOUSE_VIRT_CONSOLE_HDR 64
#define JAILHOUSE_VIRT_CONSOLE_SIZE 0x2000 /* content bytes, a power of two */

#ifndef __ASSEMBLY__
struct jailhouse_virt_console {
	__u32 busy;
	/* Total bytes ever written; the next byte goes to tail % SIZE. */
	__u32 tail;
	__u8 reserved[JAILHOUSE_VIRT_CONSOLE_HDR - 8];
	char content[JAILHOUSE_VIRT_CONSOLE_SIZE];
};
#endif

#endif
