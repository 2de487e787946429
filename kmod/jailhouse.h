/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Internal interfaces of the jailhouse driver. */
#ifndef JAILHOUSE_DRIVER_H
#define JAILHOUSE_DRIVER_H

#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <jailhouse/cell-config.h>
#include <jailhouse/console.h>
#include <jailhouse/header.h>
#include <jailhouse/hypercall.h>

#define JH_REASON_LEN 256

/* Linux hyp stub calls (arch/arm64 virt.h ABI, stable since 4.12) */
#define JH_HVC_SOFT_RESTART 1
#define JH_HVC_STUB_ERR 0xbadca11UL
/*
 * ID register fields the driver reads (Arm ARM), 4 bits each: whether the
 * CPU has EL2, and log2 of the smallest D-cache line in words.
 */
#define JH_ID_FIELD_MASK 0xf
#define JH_PFR0_EL2_SHIFT 8
#define JH_CTR_DMINLINE_SHIFT 16

/* A code the stub does not know; never 0..4 (real stub calls). */
#define JH_STUB_PROBE_CODE 0xe12e12UL

u64 jh_stub_hvc(u64 x0, u64 x1, u64 x2, u64 x3, u64 x4);
long jh_hypercall(u64 code, u64 arg1, u64 arg2);

extern struct mutex jh_lock;
extern bool jh_enabled;
extern struct device *jh_dev;
/* The root cell's CPUs as configured (at enable). */
extern struct cpumask jh_root_cpus;

/* Why the last ENABLE/DISABLE failed, for sysfs last_error and the log. */
extern char jh_last_error[JH_REASON_LEN];
__printf(2, 3) int jh_fail(int err, const char *fmt, ...);

/* dc civac over a range (main.c) */
void jh_clean_to_poc(void *start, size_t size);

/* el2.c */
int jh_check_el2(void);
int jh_enter_cpus(const struct cpumask *cpus, u64 entry_pa,
		  struct cpumask *entered);
int jh_leave_cpus(const struct cpumask *cpus);

/* console (main.c) */
ssize_t jh_console_snapshot(char *buf, size_t size, u32 *tail);

/* A cell as the driver knows it (sysfs cells/<id>/). */
struct jh_cell {
	struct kobject kobj;
	struct kobject stats;
	int id;
	char name[JAILHOUSE_CELL_NAME_LEN];
	struct cpumask cpus;
	/* non-root: our copy of its config (the hypervisor has its own) */
	struct jailhouse_cell_desc *config;
	struct list_head list;
};

/* cell.c */
long jh_cell_ioctl(unsigned int cmd, unsigned long arg);
/* Called by disable with jh_lock held: are non-root cells left? */
bool jh_cells_exist(void);

/* sysfs.c */
struct jh_cell *jh_sysfs_cell_add(int id, const char *name,
				  const struct cpumask *cpus);
void jh_sysfs_cell_remove(struct jh_cell *c);
void jh_sysfs_root_cell_cpus(const struct cpumask *cpus);
int jh_sysfs_init(struct device *dev);
void jh_sysfs_exit(struct device *dev);
int jh_sysfs_root_cell_add(const char *name, const struct cpumask *cpus);
void jh_sysfs_root_cell_remove(void);

#endif
