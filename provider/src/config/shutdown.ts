// SPDX-License-Identifier: MIT
// A cell's say in its own shutdown, from the config's side: how long the
// hypervisor waits for the answer (`shutdown.timeoutMs`, stored in the .cell
// as msg_reply_timeout) and what the provider does with a cell that did not
// answer in time (`shutdown.onTimeout`, the provider's own policy, not in the
// .cell). And the one config that leaves nobody a way out: an active comm
// region with no timeout, where a payload that does not answer blocks the
// root for ever.
import type { CellConfig } from "./schema";
import { ConfigValidationError, type ValidationIssue } from "./validate";

export const onTimeoutActions = ["fail", "force"] as const;
export type OnTimeout = (typeof onTimeoutActions)[number];

/**
 * The config with `shutdown.timeoutMs` moved into msgReplyTimeout, the one
 * field the .cell has for it. Both given and different is an error.
 */
export function normaliseShutdown(cell: CellConfig, prefix = ""): CellConfig {
    const timeoutMs = cell.shutdown?.timeoutMs;
    if (timeoutMs === undefined) return cell;
    const at = (field: string) => [prefix, field].filter(Boolean).join(".");
    if (cell.msgReplyTimeout !== 0n && cell.msgReplyTimeout !== BigInt(timeoutMs))
        throw new ConfigValidationError([
            {
                path: at("shutdown.timeoutMs"),
                message: `${timeoutMs} ms differs from msgReplyTimeout ${cell.msgReplyTimeout} ms, and the .cell has one reply timeout; remove msgReplyTimeout (shutdown.timeoutMs sets it)`,
            },
        ]);
    return { ...cell, msgReplyTimeout: BigInt(timeoutMs) };
}

/** What the provider does when the cell does not answer in time; "fail" unless the config says otherwise. */
export const onTimeoutOf = (cell: CellConfig): OnTimeout => cell.shutdown?.onTimeout ?? "fail";

/**
 * A non-root cell whose comm region is active (no passive-comm-region flag)
 * and whose reply timeout is 0 can neither answer for a payload that does
 * not speak the protocol nor be forced: the hypervisor waits for ever for its
 * answer to a shutdown request, and to the notice after any other cell's
 * creation or destruction, so the root's call never returns and no
 * onTimeout ever applies. Upstream accepts it (a warning here).
 */
export function shutdownIssues(cell: CellConfig, path: string): ValidationIssue[] {
    if (cell.flags.includes("passive-comm-region") || cell.msgReplyTimeout !== 0n) return [];
    const ignored = cell.shutdown?.onTimeout ? ` (shutdown.onTimeout: ${cell.shutdown.onTimeout} never applies)` : "";
    return [
        {
            path: `${path}.shutdown.timeoutMs`,
            message: `cell "${cell.name}" can neither answer nor be forced: its comm region is active and its reply timeout is 0, so the hypervisor waits for ever for its answer to a shutdown request or a reconfiguration notice, and a payload that does not answer blocks the root${ignored}; set shutdown.timeoutMs (e.g. 3000), or add the flag passive-comm-region if the payload cannot answer`,
            severity: "warning",
        },
    ];
}
