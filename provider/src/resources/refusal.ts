// SPDX-License-Identifier: MIT
// A cell that says no: the jailhouse CLI's refusal of a shutdown (EPERM, the
// cell denied the hypervisor's request) or of a destroy while another cell
// is locked (EBUSY), turned into the resource's error. The host is left as
// it was, so the error says so; other errors pass through unchanged. A cell
// that did not answer in time (ETIMEDOUT: the hypervisor stopped it and
// marked it failed) is the config's shutdown.onTimeout to decide.
import type { OnTimeout } from "../config";

/** The reason line the CLI prints from the driver's last_error. */
const reasonLine = /jailhouse: reason: (.*)$/m;
const deniedShutdown = /^cell "([^"]+)" refused shutdown \(([^)]*)\); nothing was changed$/;
const timedOut = /^cell "([^"]+)" did not answer in time .* and is now ([^;]+);/;
const lockedByOther = /^cannot (\w+) cell "([^"]+)": cell "([^"]+)" is running\/locked; try again when it unlocks$/;

export function cellRefusal(label: string, error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const reason = reasonLine.exec(error.message)?.[1]?.trim() ?? "";
    const denied = deniedShutdown.exec(reason);
    if (denied) return new Error(`${label}: cell ${denied[1]} refused shutdown (${denied[2]}); nothing was changed`, { cause: error });
    const locked = lockedByOther.exec(reason);
    if (locked)
        return new Error(
            `${label}: cannot ${locked[1]} cell ${locked[2]}: cell ${locked[3]} is running/locked; nothing was changed, run pulumi up again when it unlocks`,
            {
                cause: error,
            },
        );
    return error;
}

/** What to do after `jailhouse cell shutdown` or `destroy` failed. */
export type StopFailure =
    /** The cell did not answer and is failed, and the config says force: destroy or reload it without asking. */
    { action: "force"; cell: string } | { action: "throw"; error: unknown };

export function stopFailure(label: string, error: unknown, onTimeout: OnTimeout): StopFailure {
    const reason = error instanceof Error ? (reasonLine.exec(error.message)?.[1]?.trim() ?? "") : "";
    const silent = timedOut.exec(reason);
    if (!silent) return { action: "throw", error: cellRefusal(label, error) };
    if (onTimeout === "force") return { action: "force", cell: silent[1] };
    return {
        action: "throw",
        error: new Error(
            `${label}: cell ${silent[1]} did not answer the shutdown request in time and is now ${silent[2]}; nothing else was changed: the cell stays on the host to be looked at; destroy it with "jailhouse cell destroy ${silent[1]}", or set shutdown.onTimeout: force in its config`,
            { cause: error },
        ),
    };
}
