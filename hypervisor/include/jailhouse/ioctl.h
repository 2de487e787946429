/* SPDX-License-Identifier: MIT */
/*
 * /dev/jailhouse ioctls. The numbers and argument layouts are Jailhouse's
 * (type 0), so upstream tools can drive this driver and the other way round.
 */
#ifndef JAILHOUSE_IOCTL_H
#define JAILHOUSE_IOCTL_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <sys/ioctl.h>
#include <linux/types.h>
#endif

/* Characters of a cell name, without the terminating NUL. */
#define JAILHOUSE_CELL_ID_NAMELEN 31
#define JAILHOUSE_CELL_ID_UNUSED (-1)

struct jailhouse_cell_create {
	__u64 config_address;
	__u32 config_size;
	__u32 padding;
};

struct jailhouse_cell_id {
	__s32 id;
	__u32 padding;
	char name[JAILHOUSE_CELL_ID_NAMELEN + 1];
};

struct jailhouse_preload_image {
	__u64 source_address;
	__u64 size;
	__u64 target_address;
	__u64 padding;
};

struct jailhouse_cell_load {
	struct jailhouse_cell_id cell_id;
	__u32 num_preload_images;
	__u32 padding;
	struct jailhouse_preload_image image[];
};

/* ENABLE takes a pointer to the whole system configuration (.cell bytes). */
#define JAILHOUSE_ENABLE _IOW(0, 0, void *)
#define JAILHOUSE_DISABLE _IO(0, 1)
#define JAILHOUSE_CELL_CREATE _IOW(0, 2, struct jailhouse_cell_create)
#define JAILHOUSE_CELL_LOAD _IOW(0, 3, struct jailhouse_cell_load)
#define JAILHOUSE_CELL_START _IOW(0, 4, struct jailhouse_cell_id)
#define JAILHOUSE_CELL_DESTROY _IOW(0, 5, struct jailhouse_cell_id)

/*
 * Our addition: after a failed ioctl, /sys/devices/jailhouse/last_error holds
 * one line saying why (the same text goes to the kernel log).
 */
#define JAILHOUSE_SYSFS_LAST_ERROR "/sys/devices/jailhouse/last_error"

#endif
