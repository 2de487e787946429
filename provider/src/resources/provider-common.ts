// SPDX-License-Identifier: MIT
// What the Hypervisor and Cell providers share: the engine's placeholder for
// values unknown during preview, the log the CLI shows, and the check of a
// resource's connection.
import type * as pulumi from "@pulumi/pulumi";
import { hostLabel, parseHostConnection } from "../host";

/** The engine's placeholder for values not known during preview. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
    if (value === unknownValue) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

// The engine shows a dynamic provider's stdout lines in the CLI's output.
export const log = (line: string) => console.log(line);

export type Failure = pulumi.dynamic.CheckFailure;
export type ProviderImplementation = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

export function connectionFailures(connection: unknown): Failure[] {
    if (connection === undefined) return [{ property: "connection", reason: "connection: missing; give the host's SSH connection" }];
    if (containsUnknown(connection)) return [];
    try {
        parseHostConnection(connection);
        return [];
    } catch (error) {
        return [{ property: "connection", reason: (error as Error).message }];
    }
}

export function hostOf(connection: unknown): string {
    if (containsUnknown(connection)) return unknownValue;
    try {
        return hostLabel(parseHostConnection(connection));
    } catch {
        return "";
    }
}

/** Cross-cell rules need the host; during preview it may not be known yet. */
export const isKnownHost = (host: unknown) => typeof host === "string" && host !== "" && host !== unknownValue;
