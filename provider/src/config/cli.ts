#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// jailhouse-config: compile, decode, check and diff partition configs, and
// create a host's system config from its live state.
// Exit status: 0 success, 1 a config is invalid (or, with diff --exit-code,
// the configs differ), 2 the command line is wrong, 3 a bug of ours.
import * as fs from "node:fs";
import { CreateError, createSystemConfig } from "./create/command";
import { describeCellDiff, diffSystem } from "./diff";
import { encodeLoaded, type LoadedConfig, loadConfigFile, toYaml } from "./load";
import { parseMpidrs, writeCellDtb } from "./linux/dtb-command";
import { configReference } from "./reference";
import { usage } from "./usage";
import { jsonSchemas } from "./json-schema";
import { parseSize, UnitError } from "./units";
import { ConfigValidationError, errorsOf, validateCell, validateHost, type ValidationIssue, warningsOf } from "./validate";

class UsageError extends Error {}

function validateAlone(loaded: LoadedConfig): ValidationIssue[] {
    return loaded.kind === "system" ? validateHost(loaded.config, []) : validateCell(loaded.config, loaded.config.name);
}

/** Prints the warnings, and throws when errors remain (or any warning, when strict). */
function report(issues: ValidationIssue[], strict: boolean, source?: string) {
    const located = issues.map((i) => ({ ...i, path: source ? `${source}: ${i.path}` : i.path }));
    const failing = strict ? located : errorsOf(located);
    if (failing.length) throw new ConfigValidationError(failing);
    for (const w of warningsOf(located)) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
}

function takeFlag(args: string[], name: string): boolean {
    const at = args.indexOf(name);
    if (at >= 0) args.splice(at, 1);
    return at >= 0;
}

/** The files a command line names, for an internal error report. */
function inputsOf(args: readonly string[]): string {
    const files = args.filter((arg) => !arg.startsWith("-") && fs.existsSync(arg));
    return files.length ? files.join(", ") : "(no input file)";
}

function takeOption(args: string[], name: string): string | undefined {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    if (value === undefined || value.startsWith("-")) throw new UsageError(`${name} needs a value`);
    args.splice(at, 2);
    return value;
}

/** An option's value parsed, or a usage error naming the option. */
function usageValue<T>(parse: () => T, option: string): T {
    try {
        return parse();
    } catch (error) {
        const message = (error as Error).message;
        throw new UsageError(message.startsWith(option) ? message : `${option}: ${message}`);
    }
}

function spiNumber(text: string): number {
    if (!/^\d+$/.test(text) || Number(text) > 987) throw new UnitError(`${text} is not an SPI number (0..987, the GIC INTID minus 32)`);
    return Number(text);
}

function noMoreOptions(args: string[]) {
    const stray = args.find((a) => a.startsWith("-"));
    if (stray) throw new UsageError(`unknown option ${stray}`);
}

type Out = (text: string) => void;
type Command = (args: string[], out: Out) => number;

function compileCommand(args: string[], out: Out): number {
    const output = takeOption(args, "-o") ?? takeOption(args, "--output");
    const strict = takeFlag(args, "--strict");
    noMoreOptions(args);
    if (args.length !== 1 || !output) throw new UsageError("compile needs one CONFIG and -o OUT.cell");
    const loaded = loadConfigFile(args[0]);
    report(validateAlone(loaded), strict, args[0]);
    const bytes = encodeLoaded(loaded);
    try {
        fs.writeFileSync(output, bytes);
    } catch (error) {
        throw new ConfigValidationError([{ path: output, message: `cannot write: ${(error as Error).message}` }]);
    }
    out(
        `${output}: ${loaded.kind} config "${loaded.kind === "system" ? loaded.config.rootCell.name : loaded.config.name}", ${bytes.length} bytes\n`,
    );
    return 0;
}

function decodeCommand(args: string[], out: Out): number {
    noMoreOptions(args);
    if (args.length !== 1) throw new UsageError("decode needs one input file");
    out(toYaml(loadConfigFile(args[0])));
    return 0;
}

function checkCommand(args: string[], out: Out): number {
    const cpus = takeOption(args, "--cpus");
    const strict = takeFlag(args, "--strict");
    noMoreOptions(args);
    if (args.length < 1) throw new UsageError("check needs a SYSTEM config and any number of CELL configs");
    if (cpus !== undefined && !/^[1-9][0-9]*$/.test(cpus)) throw new UsageError(`--cpus ${cpus}: give the host's CPU count, e.g. --cpus 4`);
    const [system, ...cells] = args.map(loadConfigFile);
    if (system.kind !== "system") throw new UsageError(`${args[0]} is a cell config; the first file must be the system config`);
    const notCells = cells.filter((c) => c.kind !== "cell");
    if (notCells.length) throw new UsageError(`${notCells[0].source} is a system config; only the first file may be one`);
    const issues = validateHost(
        system.config,
        cells.map((c) => c.config as Extract<LoadedConfig, { kind: "cell" }>["config"]),
        {
            cpuCount: cpus === undefined ? undefined : Number(cpus),
        },
    );
    report(issues, strict);
    out(
        `ok: ${system.config.rootCell.name} with ${cells.length} cell${cells.length === 1 ? "" : "s"} (${cells.map((c) => (c.config as { name: string }).name).join(", ") || "none"})\n`,
    );
    return 0;
}

function diffCommand(args: string[], out: Out): number {
    const exitCode = takeFlag(args, "--exit-code");
    noMoreOptions(args);
    if (args.length !== 2) throw new UsageError("diff needs OLD and NEW");
    const [before, after] = args.map(loadConfigFile);
    if (before.kind !== after.kind)
        throw new UsageError(`${before.source} is a ${before.kind} config but ${after.source} is a ${after.kind} config`);
    const lines =
        before.kind === "system"
            ? diffSystem(before.config, after.config as typeof before.config).map((c) => `system: ${c}`)
            : [describeCellDiff(before.config, after.config as typeof before.config)].filter((l): l is string => !!l);
    out(lines.length ? `${lines.join("\n")}\n` : "no changes\n");
    return exitCode && lines.length ? 1 : 0;
}

function dtbCommand(args: string[], out: Out): number {
    const output = takeOption(args, "-o") ?? takeOption(args, "--output");
    const cmdline = takeOption(args, "--cmdline");
    const initrdSize = takeOption(args, "--initrd-size");
    const mpidr = takeOption(args, "--mpidr");
    const uartSpi = takeOption(args, "--uart-spi");
    noMoreOptions(args);
    if (args.length !== 2 || !output) throw new UsageError("dtb needs a SYSTEM config, a CELL config and -o OUT.dtb");
    out(
        writeCellDtb({
            system: args[0],
            cell: args[1],
            output,
            cmdline,
            initrdSize: initrdSize === undefined ? undefined : usageValue(() => parseSize(initrdSize), "--initrd-size"),
            mpidrs: mpidr === undefined ? undefined : usageValue(() => parseMpidrs(mpidr), "--mpidr"),
            uartSpi: uartSpi === undefined ? undefined : usageValue(() => spiNumber(uartSpi), "--uart-spi"),
        }),
    );
    return 0;
}

function schemaCommand(args: string[], out: Out): number {
    noMoreOptions(args);
    const which = args[0] ?? "cell";
    if (args.length > 1 || (which !== "system" && which !== "cell")) throw new UsageError("schema takes system or cell");
    out(`${JSON.stringify(jsonSchemas()[which], null, 2)}\n`);
    return 0;
}

function referenceCommand(args: string[], out: Out): number {
    noMoreOptions(args);
    if (args.length) throw new UsageError("reference takes no arguments");
    out(configReference());
    return 0;
}

const helpCommand: Command = (_args, out) => {
    out(`${usage}\n`);
    return 0;
};

const commands: Record<string, Command> = {
    compile: compileCommand,
    decode: decodeCommand,
    check: checkCommand,
    diff: diffCommand,
    dtb: dtbCommand,
    schema: schemaCommand,
    reference: referenceCommand,
    help: helpCommand,
    "--help": helpCommand,
    "-h": helpCommand,
};

export function main(argv: string[], out: Out = (t) => process.stdout.write(t)): number {
    const [command, ...rest] = argv;
    try {
        const run = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
        if (!run) throw new UsageError(command ? `unknown command "${command}"` : "no command given");
        return run([...rest], out);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`jailhouse-config: ${error.message}\n${usage}\n`);
            return 2;
        }
        if (error instanceof ConfigValidationError) {
            process.stderr.write(`${error.issues.map((i) => `${i.severity ?? "error"}: ${i.path}: ${i.message}`).join("\n")}\n`);
            return 1;
        }
        // Anything else is a bug of ours, not of the input: no stack trace, but
        // enough to reproduce it.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        process.stderr.write(
            `jailhouse-config: internal error: ${message} (${command} of ${inputsOf(rest)}); please report this with the input file\n`,
        );
        return 3;
    }
}

/** `create` over SSH is asynchronous; the other commands go to main. */
export async function mainAsync(argv: string[], out: Out = (t) => process.stdout.write(t)): Promise<number> {
    if (argv[0] !== "create") return main(argv, out);
    const args = argv.slice(1);
    try {
        const options = {
            ssh: takeOption(args, "--ssh"),
            key: takeOption(args, "--key"),
            fingerprint: takeOption(args, "--fingerprint"),
            from: takeOption(args, "--from"),
            saveLive: takeOption(args, "--save-live"),
            hypervisorMemory: takeOption(args, "--hypervisor-memory"),
            rootName: takeOption(args, "--root-name"),
            output: takeOption(args, "-o") ?? takeOption(args, "--output"),
        };
        noMoreOptions(args);
        if (args.length) throw new UsageError(`create takes options only, not ${args[0]}`);
        const created = await createSystemConfig(options);
        for (const note of created.notes) process.stderr.write(`note: ${note}\n`);
        out(options.output ? `${options.output}: system config "${/^ {2}name: (.*)$/m.exec(created.yaml)?.[1] ?? ""}"\n` : created.yaml);
        return 0;
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`jailhouse-config: ${error.message}\n${usage}\n`);
            return 2;
        }
        if (error instanceof CreateError) {
            process.stderr.write(`jailhouse-config create: ${error.message}\n`);
            return 1;
        }
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        process.stderr.write(
            `jailhouse-config: internal error: ${message} (create ${argv.slice(1).join(" ")}); please report this with the live state (--save-live DIR)\n`,
        );
        return 3;
    }
}

if (require.main === module) void mainAsync(process.argv.slice(2)).then((code) => (process.exitCode = code));
