/* SPDX-License-Identifier: MIT */
/*
 * The comm-region message protocol (see hv/comm.h). The root CPU that asks
 * polls the page: the cell answers from its own CPUs, which keep running
 * until the answer is in.
 */
#include <asm/sysregs.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/comm.h>
#include <hv/errno.h>
#include <hv/printk.h>
#include <jailhouse/cell-config.h>
#include <jailhouse/comm-region.h>
#include <jailhouse/hypercall.h>

static u32 page_state(const struct cell *cell)
{
	return READ_ONCE(cell->comm->cell_state);
}

/* Only a cell the hypervisor started and has not failed speaks for itself. */
static bool speaks(const struct cell *cell)
{
	return cell->comm && cell->state == JAILHOUSE_CELL_RUNNING;
}

static bool stopped_itself(const struct cell *cell)
{
	u32 state = page_state(cell);

	return state == JAILHOUSE_CELL_SHUT_DOWN ||
	       state == JAILHOUSE_CELL_FAILED;
}

static const char *message_name(u32 msg)
{
	return msg == JAILHOUSE_MSG_SHUTDOWN_REQUEST ? "shutdown request"
						     : "reconfiguration notice";
}

/*
 * Post @msg and poll for the answer, left in *@reply (MSG_NONE: nobody to
 * ask). 0: @wanted came back, or nobody to ask; -EPERM: any other answer;
 * -ETIMEDOUT: none within the timeout.
 */
static long exchange(struct cell *cell, u32 msg, u32 wanted, u32 *reply)
{
	struct jailhouse_comm_region *comm = cell->comm;
	u64 timeout = cell->config->msg_reply_timeout;
	u64 start;

	*reply = JAILHOUSE_MSG_NONE;
	if ((cell->config->flags & JAILHOUSE_CELL_PASSIVE_COMMREG) ||
	    !speaks(cell) || stopped_itself(cell))
		return 0;

	/* The reply is cleared before the message is posted, so an answer
	 * seen below can only be to this message. */
	WRITE_ONCE(comm->reply_from_cell, JAILHOUSE_MSG_NONE);
	asm volatile("dmb ish" ::: "memory");
	WRITE_ONCE(comm->msg_to_cell, msg);
	asm volatile("dsb ish" ::: "memory");
	start = arch_time_ms();
	for (;;) {
		*reply = READ_ONCE(comm->reply_from_cell);
		if (*reply == wanted) {
			WRITE_ONCE(comm->msg_to_cell, JAILHOUSE_MSG_NONE);
			return 0;
		}
		/* Failed meanwhile, or it says it stopped: nobody to ask. */
		if (!speaks(cell) || stopped_itself(cell)) {
			*reply = JAILHOUSE_MSG_NONE;
			return 0;
		}
		if (*reply != JAILHOUSE_MSG_NONE) {
			WRITE_ONCE(comm->msg_to_cell, JAILHOUSE_MSG_NONE);
			return -EPERM;
		}
		if (timeout && arch_time_ms() - start >= timeout) {
			WRITE_ONCE(comm->msg_to_cell, JAILHOUSE_MSG_NONE);
			printk("Cell \"%s\" did not answer the %s within %llu ms: "
			       "cell stopped, state failed\n",
			       cell->config->name, message_name(msg), timeout);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
}

long comm_request_shutdown(struct cell *cell)
{
	u32 reply;
	long err = exchange(cell, JAILHOUSE_MSG_SHUTDOWN_REQUEST,
			    JAILHOUSE_MSG_REQUEST_APPROVED, &reply);

	if (reply == JAILHOUSE_MSG_REQUEST_APPROVED)
		printk("Cell \"%s\" approved the shutdown request\n",
		       cell->config->name);
	else if (err == -EPERM)
		printk("Cell \"%s\" (%s) %s the shutdown request: "
		       "nothing was changed\n",
		       cell->config->name,
		       jailhouse_cell_state_name(page_state(cell)),
		       reply == JAILHOUSE_MSG_REQUEST_DENIED
			       ? "denied"
			       : "gave no valid answer to");
	return err;
}

long comm_notify_reconfig(struct cell *cell)
{
	u32 reply;
	long err = exchange(cell, JAILHOUSE_MSG_RECONFIG_COMPLETED,
			    JAILHOUSE_MSG_RECEIVED, &reply);

	/* Only information: another answer changes nothing. */
	return err == -EPERM ? 0 : err;
}

struct cell *comm_locking_cell(const struct cell *except)
{
	struct cell *cell;
	unsigned int id;

	for (id = 1; id < HV_MAX_CELLS; id++) {
		cell = cell_by_id(id);
		if (cell && cell != except && speaks(cell) &&
		    page_state(cell) == JAILHOUSE_CELL_RUNNING_LOCKED)
			return cell;
	}
	return NULL;
}

long comm_cell_state(const struct cell *cell)
{
	u32 state;

	if (!speaks(cell))
		return cell->state;
	state = page_state(cell);
	switch (state) {
	case JAILHOUSE_CELL_RUNNING:
	case JAILHOUSE_CELL_RUNNING_LOCKED:
	case JAILHOUSE_CELL_SHUT_DOWN:
	case JAILHOUSE_CELL_FAILED:
	case JAILHOUSE_CELL_FAILED_COMM_REV:
		return state;
	default:
		return -EINVAL;
	}
}
