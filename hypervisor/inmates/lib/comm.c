// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The cell's side of the comm region: answer the hypervisor's messages and
 * lock or unlock the cell. The region is where the lab configs map it
 * (0x80000000; "comm=" overrides). A bare run has none: every call is then
 * a no-op and comm_message() always says MSG_NONE.
 */
#include "inmate.h"

/* Offsets in Jailhouse's comm region (ABI revision 2). */
#define COMM_CELL_STATE 8
#define COMM_MSG_TO_CELL 12
#define COMM_REPLY_FROM_CELL 16

static u64 comm_base;

static int present(void)
{
#ifdef BARE_CMDLINE
	return 0;
#else
	const char *magic = "JHCOMM";
	int n;

	if (!comm_base)
		comm_base = cmdline_u64("comm", 0x80000000);
	for (n = 0; n < 6; n++)
		if (mmio_read8(comm_base + n) != (u8)magic[n])
			return 0;
	return 1;
#endif
}

u32 comm_message(void)
{
	return present() ? mmio_read32(comm_base + COMM_MSG_TO_CELL) : MSG_NONE;
}

void comm_reply(u32 reply)
{
	if (present())
		mmio_write32(comm_base + COMM_REPLY_FROM_CELL, reply);
}

void comm_set_state(u32 state)
{
	if (present())
		mmio_write32(comm_base + COMM_CELL_STATE, state);
}

u32 comm_state(void)
{
	return present() ? mmio_read32(comm_base + COMM_CELL_STATE)
			 : CELL_RUNNING;
}

void comm_answer(u32 msg, int approve_shutdown)
{
	switch (msg) {
	case MSG_NONE:
		break;
	case MSG_SHUTDOWN_REQUEST:
		comm_reply(approve_shutdown ? MSG_REQUEST_APPROVED
					    : MSG_REQUEST_DENIED);
		break;
	case MSG_RECONFIG_COMPLETED:
		comm_reply(MSG_RECEIVED);
		break;
	default:
		comm_reply(MSG_UNKNOWN);
		break;
	}
}
