/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* What the jailhouse tool's source files share. */
#ifndef JH_TOOLS_H
#define JH_TOOLS_H

#define JH_SYSFS "/sys/devices/jailhouse"

/* Prints s as a JSON string, quotes included. */
void json_string(const char *s);

int cmd_state(int argc, char **argv);

#endif
