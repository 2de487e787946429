/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef CELL_LINUX_H
#define CELL_LINUX_H

/* jailhouse cell linux CELLCONFIG KERNEL [-i INITRD] [-c CMDLINE] [-d DTB] */
int cmd_cell_linux(int argc, char **argv);

#endif
