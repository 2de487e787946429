#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// jailhouse-config: compile, decode, check and diff partition configs.
// Exit status: 0 success, 1 a config is invalid, 2 the command line is wrong.
import * as fs from "node:fs";
import { describeCellDiff, diffSystem } from "./diff";
import { encodeLoaded, type LoadedConfig, loadConfigFile, toYaml } from "./load";
import { configReference } from "./reference";
import { jsonSchemas } from "./schema";
import { ConfigValidationError, validateCell, validateHost, type ValidationIssue } from "./validate";

const usage = `usage: jailhouse-config <command> ...
  compile CONFIG -o OUT.cell        YAML (or .cell) to a .cell file, after validation
  decode IN.cell                    print a .cell file as YAML
  check SYSTEM CELL... [--cpus N]   host-level checks of a system and the cells to run together
  diff OLD NEW                      what changed, in partition terms
  schema [system|cell]              JSON Schema for editors
  reference                         the config reference in markdown
Inputs may be YAML or .cell files. Exit 0 ok, 1 invalid config, 2 bad usage.`;

class UsageError extends Error {}

function validateAlone(loaded: LoadedConfig): ValidationIssue[] {
    return loaded.kind === "system" ? validateHost(loaded.config, []) : validateCell(loaded.config, loaded.config.name);
}

function fail(issues: ValidationIssue[], source?: string): never {
    throw new ConfigValidationError(issues.map((i) => ({ ...i, path: source ? `${source}: ${i.path}` : i.path })));
}

function takeOption(args: string[], name: string): string | undefined {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    if (value === undefined || value.startsWith("-")) throw new UsageError(`${name} needs a value`);
    args.splice(at, 2);
    return value;
}

function noMoreOptions(args: string[]) {
    const stray = args.find((a) => a.startsWith("-"));
    if (stray) throw new UsageError(`unknown option ${stray}`);
}

export function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): number {
    const [command, ...rest] = argv;
    const args = [...rest];
    try {
        switch (command) {
            case "compile": {
                const output = takeOption(args, "-o") ?? takeOption(args, "--output");
                noMoreOptions(args);
                if (args.length !== 1 || !output) throw new UsageError("compile needs one CONFIG and -o OUT.cell");
                const loaded = loadConfigFile(args[0]);
                const issues = validateAlone(loaded);
                if (issues.length) fail(issues, args[0]);
                const bytes = encodeLoaded(loaded);
                fs.writeFileSync(output, bytes);
                out(`${output}: ${loaded.kind} config "${loaded.kind === "system" ? loaded.config.rootCell.name : loaded.config.name}", ${bytes.length} bytes\n`);
                return 0;
            }
            case "decode": {
                noMoreOptions(args);
                if (args.length !== 1) throw new UsageError("decode needs one input file");
                out(toYaml(loadConfigFile(args[0])));
                return 0;
            }
            case "check": {
                const cpus = takeOption(args, "--cpus");
                noMoreOptions(args);
                if (args.length < 1) throw new UsageError("check needs a SYSTEM config and any number of CELL configs");
                if (cpus !== undefined && !/^[1-9][0-9]*$/.test(cpus)) throw new UsageError(`--cpus ${cpus}: give the host's CPU count, e.g. --cpus 4`);
                const [system, ...cells] = args.map(loadConfigFile);
                if (system.kind !== "system") throw new UsageError(`${args[0]} is a cell config; the first file must be the system config`);
                const notCells = cells.filter((c) => c.kind !== "cell");
                if (notCells.length) throw new UsageError(`${notCells[0].source} is a system config; only the first file may be one`);
                const issues = validateHost(system.config, cells.map((c) => c.config as Extract<LoadedConfig, { kind: "cell" }>["config"]), {
                    cpuCount: cpus === undefined ? undefined : Number(cpus),
                });
                if (issues.length) fail(issues);
                out(`ok: ${system.config.rootCell.name} with ${cells.length} cell${cells.length === 1 ? "" : "s"} (${cells.map((c) => (c.config as { name: string }).name).join(", ") || "none"})\n`);
                return 0;
            }
            case "diff": {
                noMoreOptions(args);
                if (args.length !== 2) throw new UsageError("diff needs OLD and NEW");
                const [before, after] = args.map(loadConfigFile);
                if (before.kind !== after.kind) throw new UsageError(`${before.source} is a ${before.kind} config but ${after.source} is a ${after.kind} config`);
                const lines =
                    before.kind === "system"
                        ? diffSystem(before.config, after.config as typeof before.config).map((c) => `system: ${c}`)
                        : [describeCellDiff(before.config, after.config as typeof before.config)].filter((l): l is string => !!l);
                out(lines.length ? `${lines.join("\n")}\n` : "no changes\n");
                return 0;
            }
            case "schema": {
                noMoreOptions(args);
                const which = args[0] ?? "cell";
                if (args.length > 1 || (which !== "system" && which !== "cell")) throw new UsageError("schema takes system or cell");
                out(`${JSON.stringify(jsonSchemas()[which], null, 2)}\n`);
                return 0;
            }
            case "reference": {
                noMoreOptions(args);
                if (args.length) throw new UsageError("reference takes no arguments");
                out(configReference());
                return 0;
            }
            case "help":
            case "--help":
            case "-h":
                out(`${usage}\n`);
                return 0;
            default:
                throw new UsageError(command ? `unknown command "${command}"` : "no command given");
        }
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`jailhouse-config: ${error.message}\n${usage}\n`);
            return 2;
        }
        if (error instanceof ConfigValidationError) {
            process.stderr.write(`${error.issues.map((i) => `error: ${i.path}: ${i.message}`).join("\n")}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
