// SPDX-License-Identifier: MIT
// The Cell resource's implementation: checks its inputs and images, and
// creates, loads, starts, stops and destroys the cell over SSH around the
// plan's decisions.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeCellConfig, formatCpuList, summarizeCell, type OnTimeout, onTimeoutOf } from "../config";
import { type HostSession, shellQuote, withHost } from "../host";
import { declareCell, declaredOn } from "./declared-partitions";
import { cellRuleFailures, cellRuleWarnings } from "./host-rules";
import { liveStateOf } from "./host-snapshot";
import { type LinuxImage, linuxImageFailures, planLinuxBoot } from "./linux-image";
import { type LiveHostState, liveCpuList } from "./live-state";
import { stopFailure } from "./refusal";
import {
    cellDrift,
    checkFailures,
    diffCellResource,
    parsedCellConfig,
    parsedSystemConfig,
    planCellCreate,
    reportedState,
    resolveCellConfig,
    resolveSystemConfig,
    storeCellConfig,
    storeSystemConfig,
} from "./plan";
import { cellLoadCommand, type ImageLoad, remoteCellConfig, remoteCellImages, remoteSources } from "./remote-layout";
import {
    checkConfigInput,
    connectionFailures,
    containsUnknown,
    diffAnswer,
    type Failure,
    hostOf,
    isKnownHost,
    log,
    type ProviderImplementation,
    unknownValue,
} from "./provider-common";

/** One image to load before start; see CellImage in cell.ts. */
interface ImageInput {
    demo?: string;
    args?: string;
    file?: string;
    string?: string;
    address?: number | string;
    linux?: LinuxImage;
}

interface CellProps {
    connection: unknown;
    host: string;
    config: Record<string, unknown>;
    /** The host's system config (stored form), from the Hypervisor: a Linux cell's DTB is generated from it. */
    systemConfig?: Record<string, unknown>;
    configSha256: string;
    images: ImageInput[];
    imagesSha256: string;
    state: "running" | "stopped";
    /** The config's shutdown.onTimeout; absent in state written before it existed. */
    onTimeout?: OnTimeout;
    liveState?: string;
    liveCpus?: string;
}

function imageFailures(images: unknown, state: unknown): Failure[] {
    if (!Array.isArray(images))
        return [{ property: "images", reason: "images: give a list of { demo }, { file, address }, { string, address } or { linux }" }];
    const failures: Failure[] = [];
    if (!containsUnknown(images))
        failures.push(...linuxImageFailures(images, String(state), fs.existsSync).map((reason) => ({ property: "images", reason })));
    images.forEach((image: ImageInput, i) => {
        if (containsUnknown(image)) return;
        const kinds = ["demo", "file", "string", "linux"].filter((k) => (image as Record<string, unknown>)[k] !== undefined);
        if (kinds.length !== 1)
            failures.push({
                property: "images",
                reason: `images[${i}]: give exactly one of demo, file, string or linux (found ${kinds.join(", ") || "none"})`,
            });
        else if (image.file !== undefined && !fs.existsSync(image.file))
            failures.push({
                property: "images",
                reason: `images[${i}].file: ${image.file} does not exist on this machine; give the path of the image to load`,
            });
        else if (image.string !== undefined && image.address === undefined)
            failures.push({
                property: "images",
                reason: `images[${i}].address: a string image needs the address to load it at, e.g. 0x1000`,
            });
    });
    return failures;
}

function imagesSha256(images: ImageInput[]): string {
    const hash = crypto.createHash("sha256");
    for (const image of images) {
        hash.update(JSON.stringify(image));
        const files = [image.file, image.linux?.kernel, image.linux?.initrd, image.linux?.dtb];
        for (const file of files) if (typeof file === "string" && fs.existsSync(file)) hash.update(fs.readFileSync(file));
    }
    return hash.digest("hex");
}

const linuxImageOf = (inputs: CellProps) => inputs.images.find((image) => image.linux !== undefined)?.linux;

/** Creates the cell afresh (the loader destroys one of the same name), loads the kernel and starts it. */
async function bootLinux(host: HostSession, inputs: CellProps, image: LinuxImage) {
    const cell = parsedCellConfig(inputs.config);
    const plan = planLinuxBoot(cell, image, {
        system: inputs.systemConfig ? parsedSystemConfig(inputs.systemConfig) : undefined,
        initrdSize: image.initrd ? fs.statSync(image.initrd).size : undefined,
    });
    for (const upload of plan.uploads) await host.upload(upload.source, upload.target, 0o644);
    await host.run(`boot Linux in cell ${cell.name}${plan.generatedDtb ? " (DTB from its config)" : ""}`, plan.command, {
        timeoutMs: 10 * 60_000,
    });
}

async function loadAndStart(host: HostSession, inputs: CellProps) {
    const linux = linuxImageOf(inputs);
    if (linux) return bootLinux(host, inputs, linux);
    const name = String(inputs.config.name);
    const loads: ImageLoad[] = [];
    for (const [index, image] of inputs.images.entries()) {
        const address = image.address === undefined ? undefined : String(image.address);
        if (image.demo) {
            loads.push({ source: { path: `${remoteSources}/hypervisor/inmates/demos/${image.demo}.bin` }, address });
            // The demos read their command line from 0x1000 in the cell.
            if (image.args) loads.push({ source: { string: image.args }, address: "0x1000" });
        } else if (image.file) {
            const target = `${remoteCellImages(name)}/${index}-${path.basename(image.file)}`;
            await host.upload(image.file, target, 0o644);
            loads.push({ source: { path: target }, address });
        } else if (image.string !== undefined) loads.push({ source: { string: image.string }, address });
    }
    if (loads.length) await host.run(`load cell ${name}`, cellLoadCommand(name, loads));
    if (inputs.state === "running") await host.run(`start cell ${name}`, `jailhouse cell start ${shellQuote(name)}`);
}

/** `live`: the state read in this step, when nothing ran on the host since. */
async function cellOutputs(host: HostSession, inputs: CellProps, live?: LiveHostState) {
    live ??= await liveStateOf(host);
    const cell = live.cells.find((c) => c.name === inputs.config.name);
    return {
        ...inputs,
        cellId: cell?.id ?? -1,
        liveState: cell ? reportedState(cell.state) : "gone",
        liveCpus: cell ? formatCpuList(liveCpuList("cpus_assigned_list", cell.cpusAssigned)) : "",
    };
}

/**
 * Shuts down or destroys a cell, which the hypervisor asks first. A refusal
 * fails the resource; a cell that did not answer in time (now failed) is
 * destroyed, or left for the reload, when its config says force.
 */
async function stopCell(host: HostSession, name: string, step: "shut down" | "destroy", onTimeout: OnTimeout = "fail") {
    const command = `jailhouse cell ${step === "destroy" ? "destroy" : "shutdown"} ${shellQuote(name)}`;
    try {
        await host.run(`${step} cell ${name}`, command);
    } catch (error) {
        const decision = stopFailure(host.label, error, onTimeout);
        if (decision.action === "throw") throw decision.error;
        log(`${host.label}: cell ${name} did not answer in time and is failed; shutdown.onTimeout is force: go on`);
        // A failed cell is not asked again: destroy now, or the reload loads it.
        if (step === "destroy") await host.run(`destroy failed cell ${name}`, command);
    }
}

export const cellProvider: ProviderImplementation = {
    async check(_olds, news) {
        const failures = connectionFailures(news.connection);
        const images = (news.images ?? []) as ImageInput[];
        failures.push(...imageFailures(images, news.state ?? "running"));
        const inputs: Record<string, unknown> = {
            connection: news.connection,
            host: hostOf(news.connection),
            images,
            imagesSha256: containsUnknown(images) ? unknownValue : imagesSha256(images),
            state: news.state ?? "running",
            hypervisorId: news.hypervisorId ?? "",
        };
        if (!["running", "stopped"].includes(String(inputs.state)))
            failures.push({ property: "state", reason: `state: "${String(inputs.state)}" is not known; use "running" or "stopped"` });
        const linux =
            Array.isArray(images) && !containsUnknown(images) ? images.find((image) => image.linux !== undefined)?.linux : undefined;
        // Only a DTB generated at boot reads the system config. Other cells
        // keep it out of their state, which every deployment carries through
        // the engine and this process several times per resource.
        const systemNeeded = containsUnknown(images) || (linux !== undefined && !linux.dtb);
        if (containsUnknown(news.systemConfig)) {
            if (systemNeeded) inputs.systemConfig = news.systemConfig;
        } else if (news.systemConfig !== undefined && news.systemConfig !== "") {
            try {
                const stored = storeSystemConfig(resolveSystemConfig(news.systemConfig)).config;
                if (systemNeeded) inputs.systemConfig = stored;
            } catch (error) {
                failures.push(...checkFailures("systemConfig", error));
            }
        }
        if (linux && !linux.dtb && news.systemConfig === undefined)
            failures.push({
                property: "images",
                reason: "images: a linux image without dtb has its DTB generated from the system config; pass the Hypervisor to the Cell (hypervisor: hv) or give linux.dtb",
            });
        checkConfigInput(news.config, inputs, failures, {
            property: "config",
            resolve: resolveCellConfig,
            check(config, failures) {
                const declared = { resourceName: typeof news.resourceName === "string" ? news.resourceName : config.name, config };
                const host = String(inputs.host);
                const neighbours = isKnownHost(host) ? declaredOn(host) : { cells: [] };
                failures.push(...cellRuleFailures(declared, neighbours.cells, neighbours.system));
                cellRuleWarnings(declared).forEach(log);
                if (isKnownHost(host)) declareCell(host, declared);
                // A generated DTB's errors (RAM not loadable, too small) show in preview.
                if (linux && !linux.dtb && inputs.systemConfig && !containsUnknown(inputs.systemConfig) && typeof linux.kernel === "string")
                    planLinuxBoot(config, linux, {
                        system: parsedSystemConfig(inputs.systemConfig),
                        initrdSize: linux.initrd && fs.existsSync(linux.initrd) ? fs.statSync(linux.initrd).size : undefined,
                    });
            },
            store: storeCellConfig,
            derived: (config) => ({ onTimeout: onTimeoutOf(config), partition: summarizeCell(config) }),
        });
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        if (news.configSha256 === unknownValue || news.host === unknownValue) return { changes: true };
        return diffAnswer(news.host, diffCellResource(olds as CellProps, news as CellProps));
    },

    async create(inputs) {
        const props = inputs as CellProps;
        const config = parsedCellConfig(props.config);
        const outs = await withHost(
            props.connection,
            async (host) => {
                const live = await liveStateOf(host);
                const plan = planCellCreate(host.label, live, config, props.state);
                if (plan.action === "conflict") throw new Error(plan.message);
                // A Linux cell's loader reads the config to create the cell anew, even when adopting.
                const linux = linuxImageOf(props) !== undefined;
                if (plan.action === "create" || linux) await host.upload(encodeCellConfig(config), remoteCellConfig(config.name), 0o644);
                if (plan.action === "adopt") log(`${host.label}: adopt the identical live cell ${config.name}`);
                // `jailhouse cell linux` creates the cell itself.
                else if (!linux)
                    await host.run(
                        `create cell ${config.name} on CPUs ${formatCpuList(config.cpus)}`,
                        `jailhouse cell create ${remoteCellConfig(config.name)}`,
                    );
                if (plan.action === "create" || plan.loadAndStart) await loadAndStart(host, props);
                return cellOutputs(host, props);
            },
            log,
        );
        return { id: `${props.host}/${config.name}`, outs };
    },

    async read(id, props) {
        const inputs = props as CellProps;
        return withHost(
            inputs.connection,
            async (host) => {
                const live = await liveStateOf(host);
                const cell = live.cells.find((c) => c.name === inputs.config.name);
                const drift = cellDrift(parsedCellConfig(inputs.config), inputs.state, cell, linuxImageOf(inputs) !== undefined);
                drift.forEach((d) => log(`${host.label}: drift: ${d}`));
                // Gone: an empty id tells the engine the resource no longer exists.
                if (!cell) return { id: "", props: {} };
                return { id, props: await cellOutputs(host, inputs, live) };
            },
            log,
        );
    },

    async update(_id, olds, news) {
        const inputs = news as CellProps;
        const reload = diffCellResource(olds as CellProps, inputs).reload;
        const name = String(inputs.config.name);
        return {
            outs: await withHost(
                inputs.connection,
                async (host) => {
                    const live = await liveStateOf(host);
                    const cell = live.cells.find((c) => c.name === name);
                    if (!cell) throw new Error(`${host.label}: cell ${name} is gone; run pulumi refresh, then up to recreate it`);
                    if (!reload) {
                        log(`${host.label}: cell ${name}: new settings stored; nothing on the host changes`);
                        return cellOutputs(host, inputs, live);
                    }
                    if (cell.state === "running/locked")
                        throw new Error(`${host.label}: cell ${name} refused shutdown (running/locked); nothing was changed`);
                    // `jailhouse cell linux` destroys and recreates a Linux cell itself.
                    if (cell.state !== "shut down" && !linuxImageOf(inputs)) await stopCell(host, name, "shut down", inputs.onTimeout);
                    await loadAndStart(host, inputs);
                    return cellOutputs(host, inputs);
                },
                log,
            ),
        };
    },

    async delete(_id, props) {
        const inputs = props as CellProps;
        const name = String(inputs.config.name);
        await withHost(
            inputs.connection,
            async (host) => {
                const live = await liveStateOf(host);
                if (!live.jailhouse?.enabled || !live.cells.some((c) => c.name === name)) {
                    log(`${host.label}: cell ${name} is already gone`);
                    return;
                }
                await stopCell(host, name, "destroy", inputs.onTimeout);
            },
            log,
        );
    },
};
