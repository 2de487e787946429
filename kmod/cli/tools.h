/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* What the jailhouse tool's source files share. */
#ifndef JH_TOOLS_H
#define JH_TOOLS_H

#include <stddef.h>

#include <jailhouse/ioctl.h>

#define JH_DEV "/dev/jailhouse"
#define JH_SYSFS "/sys/devices/jailhouse"

/* Opens the driver's device or exits with a hint. */
int open_dev(void);
/* Prints the driver's reason for the last failed request. */
void print_reason(void);
/* One request to the driver on @fd: 0, or -1 once it has said why not. */
int ioctl_or_report(int fd, unsigned long cmd, void *arg, const char *what);
/* The whole file, or exits with the reason. */
void *read_file(const char *name, size_t *size);
/* The sysfs directory of a cell given by id or name; 0 if found. */
int cell_dir(const struct jailhouse_cell_id *id, char *dir, size_t len);
/* Prints s as a JSON string, quotes included. */
void json_string(const char *s);

int cmd_state(int argc, char **argv);

#endif
