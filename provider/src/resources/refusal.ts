// SPDX-License-Identifier: MIT
// A cell that says no: the jailhouse CLI's refusal of a shutdown (EPERM, the
// cell denied the hypervisor's request) or of a destroy while another cell
// is locked (EBUSY), turned into the resource's error. The host is left as
// it was, so the error says so; other errors pass through unchanged.

/** The reason line the CLI prints from the driver's last_error. */
const reasonLine = /jailhouse: reason: (.*)$/m;
const deniedShutdown = /^cell "([^"]+)" refused shutdown \(([^)]*)\); nothing was changed$/;
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
