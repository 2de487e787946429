// SPDX-License-Identifier: MIT
// What the Hypervisor and Cell providers share: the engine's placeholder for
// values unknown during preview, the log the CLI shows, the check of a
// resource's connection and of its config input, and the answer to a diff.
import type * as pulumi from "@pulumi/pulumi";
import { hostLabel, parseHostConnection } from "../host";
import { checkFailures, type StoredConfig } from "./plan";

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

/** How one resource's config input goes through check(). */
export interface ConfigInput<Config> {
    /** The input's name: its failures are reported under it. */
    property: string;
    resolve(raw: unknown): Config;
    /** Rules beyond the schema's; may throw a config error, which is reported under the property too. */
    check(config: Config, failures: Failure[]): void;
    store(config: Config): StoredConfig;
    /** Inputs derived from the config besides the stored form and its hash. */
    derived(config: Config): Record<string, unknown>;
}

/**
 * Resolves, checks and stores a config input into `inputs` (the property,
 * configSha256 and the derived inputs), pushing failures. A value unknown
 * during preview passes through, and so does its hash.
 */
export function checkConfigInput<Config>(raw: unknown, inputs: Record<string, unknown>, failures: Failure[], input: ConfigInput<Config>) {
    if (containsUnknown(raw)) {
        inputs[input.property] = raw;
        inputs.configSha256 = unknownValue;
        return;
    }
    try {
        const config = input.resolve(raw);
        input.check(config, failures);
        const stored = input.store(config);
        Object.assign(inputs, input.derived(config));
        inputs[input.property] = stored.config;
        inputs.configSha256 = stored.sha256;
    } catch (error) {
        failures.push(...checkFailures(input.property, error));
    }
}

/** The engine's answer to a diff, its reasons logged under the host. Both resources are one per name on a host, so a replacement deletes first. */
export function diffAnswer(host: unknown, diff: { changes: boolean; replaces: string[]; reasons: string[] }): pulumi.dynamic.DiffResult {
    diff.reasons.forEach((reason) => log(`${String(host)}: ${reason}`));
    return { changes: diff.changes, replaces: diff.replaces, deleteBeforeReplace: true };
}
