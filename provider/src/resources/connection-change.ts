// SPDX-License-Identifier: MIT
// Whether a resource's SSH connection changed, named by field only: the
// values are credentials and pins, and the names are enough to review.
import { parseHostConnection } from "../host/connection";

/** The connection with its defaults applied, so `port: 22` and no port are the same. */
function normalized(connection: unknown): Record<string, unknown> {
    try {
        return parseHostConnection(connection);
    } catch {
        return connection !== null && typeof connection === "object" ? (connection as Record<string, unknown>) : {};
    }
}

/** The fields that differ, e.g. ["hostKey", "privateKey"]; empty when the connection is the same. */
export function changedConnectionFields(olds: unknown, news: unknown): string[] {
    const before = normalized(olds);
    const after = normalized(news);
    const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...fields].filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field])).sort();
}

/** The diff's reason line; names fields, never values. */
export function connectionChangeReason(fields: readonly string[]): string {
    return `connection changed (${fields.join(", ")}): stored for later operations, nothing on the host changes`;
}
