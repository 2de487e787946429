/* SPDX-License-Identifier: MIT */
/*
 * The message protocol of the comm region: before the root stops a running
 * cell, the cell is asked (SHUTDOWN_REQUEST) and may approve or deny; a cell
 * may lock itself (RUNNING_LOCKED), which holds off the creation and
 * destruction of every other cell; after either, every other running cell
 * is told (RECONFIG_COMPLETED). The page is the cell's to write: what it
 * says only ever decides the cell's own consent and the lock, never who owns
 * memory, CPUs or interrupts.
 */
#ifndef HV_COMM_H
#define HV_COMM_H

#include <hv/types.h>

struct cell;

/*
 * Ask @cell whether it may be stopped, on a root CPU with the management
 * lock held. 0: approved, or nobody to ask (passive comm region, not
 * running, or the cell says it is shut down or failed). -EPERM: denied
 * (or an answer that is no approval). -ETIMEDOUT: no answer within the
 * config's msg_reply_timeout (milliseconds; 0 waits for ever); the caller
 * stops the cell and marks it failed.
 */
long comm_request_shutdown(struct cell *cell);
/*
 * Tell a running @cell that another cell was created or destroyed
 * (RECONFIG_COMPLETED) and wait for its MSG_RECEIVED, as for a shutdown
 * request. 0: received, any other answer, or nobody to tell; -ETIMEDOUT:
 * no answer in time, and the caller fails the cell.
 */
long comm_notify_reconfig(struct cell *cell);
/* The running cell other than @except that holds the lock, or NULL. */
struct cell *comm_locking_cell(const struct cell *except);
/*
 * The state the root sees: the hypervisor's own while the cell is not
 * running, else what the cell wrote, if it is one of the defined states
 * (-EINVAL otherwise).
 */
long comm_cell_state(const struct cell *cell);

#endif
