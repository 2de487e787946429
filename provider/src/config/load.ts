// SPDX-License-Identifier: MIT
// Reading configs from TypeScript objects, YAML text or .cell bytes, with
// every problem reported as a path plus what to do about it.
import * as fs from "node:fs";
import * as YAML from "yaml";
import { z } from "zod";
import type { BinaryConfig } from "./binary";
import { ConfigFormatError, decodeConfig, encodeCell, encodeSystem, sniffConfig } from "./codec";
import { compileCell, CompileError, compileSystem } from "./compile";
import { decompileCell, decompileSystem } from "./decompile";
import { type CellConfig, CellConfigSchema, type SystemConfig, SystemConfigSchema } from "./schema";
import { normaliseShutdown } from "./shutdown";
import { ConfigValidationError, type ValidationIssue } from "./validate";

export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const key of path) out += typeof key === "number" ? `[${key}]` : out ? `.${String(key)}` : String(key);
    return out || "(top level)";
}

function describeValue(value: unknown): string {
    if (typeof value === "bigint") return `0x${value.toString(16)}`;
    try {
        const text = JSON.stringify(value);
        return text && text.length > 60 ? `${text.slice(0, 57)}...` : (text ?? String(value));
    } catch {
        return String(value);
    }
}

function zodIssue(issue: z.core.$ZodIssue, prefix: string): ValidationIssue {
    const path = [prefix, formatPath(issue.path)].filter((p) => p && p !== "(top level)").join(".") || "(top level)";
    switch (issue.code) {
        case "unrecognized_keys":
            return {
                path,
                message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} or fix the spelling (see provider/config-reference.md)`,
            };
        case "invalid_type":
            return issue.input === undefined
                ? { path, message: `missing: expected ${issue.expected}` }
                : { path, message: `${describeValue(issue.input)} is not a ${issue.expected}; give a ${issue.expected}` };
        case "invalid_value":
            return {
                path,
                message: `${describeValue(issue.input)} is not allowed; use one of ${issue.values.map((v) => describeValue(v)).join(", ")}`,
            };
        case "invalid_union": {
            const inner = issue.errors.flat()[0];
            return inner
                ? zodIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, prefix)
                : { path, message: issue.message };
        }
        default:
            return {
                path,
                message:
                    issue.input === undefined || issue.code === "custom"
                        ? issue.message
                        : `${describeValue(issue.input)}: ${issue.message}`,
            };
    }
}

function parseWith<T extends z.ZodType>(schema: T, input: unknown, prefix: string): z.output<T> {
    const result = schema.safeParse(input, { reportInput: true });
    if (!result.success) throw new ConfigValidationError(result.error.issues.map((issue) => zodIssue(issue, prefix)));
    return result.data;
}

export function parseCellConfig(input: unknown, prefix = ""): CellConfig {
    return normaliseShutdown(parseWith(CellConfigSchema, input, prefix), prefix);
}

export function parseSystemConfig(input: unknown, prefix = ""): SystemConfig {
    return parseWith(SystemConfigSchema, input, prefix);
}

export type LoadedConfig = { kind: "system"; config: SystemConfig; source: string } | { kind: "cell"; config: CellConfig; source: string };

/** YAML with integers read as bigints, so 64-bit addresses stay exact. */
export function parseYaml(text: string, source: string): unknown {
    const doc = YAML.parseDocument(text, { intAsBigInt: true, prettyErrors: true });
    if (doc.errors.length) throw new ConfigValidationError(doc.errors.map((e) => ({ path: source, message: `YAML: ${e.message}` })));
    return doc.toJS();
}

function isSystemShaped(value: unknown): boolean {
    return typeof value === "object" && value !== null && ("hypervisor" in value || "rootCell" in value);
}

/** A config from bytes (.cell or YAML, told apart by the signature). */
export function loadConfigBytes(bytes: Uint8Array, source: string): LoadedConfig {
    if (sniffConfig(bytes) || /\.cell$/i.test(source)) {
        let binary: BinaryConfig;
        try {
            binary = decodeConfig(bytes);
        } catch (error) {
            if (error instanceof ConfigFormatError) throw new ConfigValidationError([{ path: source, message: error.message }]);
            throw error;
        }
        return binary.kind === "system"
            ? { kind: "system", config: parseSystemConfig(decompileSystem(binary.system, null)), source }
            : { kind: "cell", config: parseCellConfig(decompileCell(binary.cell, null)), source };
    }
    const value = parseYaml(Buffer.from(bytes).toString("utf8"), source);
    return isSystemShaped(value)
        ? { kind: "system", config: parseSystemConfig(value), source }
        : { kind: "cell", config: parseCellConfig(value), source };
}

export function readConfigFile(file: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (error) {
        throw new ConfigValidationError([{ path: file, message: `cannot read: ${(error as Error).message}` }]);
    }
}

export function loadConfigFile(file: string): LoadedConfig {
    return loadConfigBytes(readConfigFile(file), file);
}

function compileChecked<T>(compile: () => T): T {
    try {
        return compile();
    } catch (error) {
        if (error instanceof CompileError)
            throw new ConfigValidationError([{ path: error.path, message: error.message.slice(error.path.length + 2) }]);
        throw error;
    }
}

export function encodeSystemConfig(config: SystemConfig): Buffer {
    return encodeSystem(compileChecked(() => compileSystem(config)));
}

export function encodeCellConfig(config: CellConfig): Buffer {
    return encodeCell(compileChecked(() => compileCell(config)));
}

export function encodeLoaded(loaded: LoadedConfig): Buffer {
    return loaded.kind === "system" ? encodeSystemConfig(loaded.config) : encodeCellConfig(loaded.config);
}

/** The YAML form of a config, as `jailhouse-config decode` prints it. */
export function toYaml(loaded: LoadedConfig): string {
    const binary =
        loaded.kind === "system"
            ? decompileSystem(
                  compileSystem(loaded.config),
                  loaded.config.rootCell.memory.map((r) => r.name),
              )
            : decompileCell(
                  compileCell(loaded.config),
                  loaded.config.memory.map((r) => r.name),
              );
    return YAML.stringify(binary, { lineWidth: 0 });
}
