// SPDX-License-Identifier: MIT
// A host's live state (device tree, /proc/iomem, /proc/interrupts, online
// CPUs) to its system config. Pure: text in, a validated config and its
// commented YAML out; gathering the text is gather.ts's job.
import * as YAML from "yaml";
import { CELL_NAME_MAXLEN } from "../abi";
import { FIRST_SPI, IRQCHIP_WINDOW } from "../irqchips";
import { parseSystemConfig } from "../load";
import type { SystemConfig, SystemConfigInput } from "../schema";
import { formatCpuList, formatSize, parseCpuListText, UnitError } from "../units";
import { ConfigValidationError, errorsOf, validateHost } from "../validate";
import { deviceRegions, deviceTreeSpans, iomemDeviceSpans, isPciHost, type DeviceRegion } from "./device-regions";
import {
    allNodes,
    type DtNode,
    findNode,
    interruptParent,
    isDisabled,
    parseDeviceTree,
    readCells,
    regOf,
    stringOf,
    u32Of,
} from "./devicetree";
import { deviceTreeSpis, findGic } from "./gic";
import { chooseHypervisorMemory } from "./hypervisor-memory";
import { type LiveState, LiveStateError } from "./live-state";
import { parseInterrupts, parseIomem } from "./proc-files";
import { describeSpan, type Span, subtract } from "./ranges";

export interface CreateOptions {
    /** A RAM range kept out of Linux for the hypervisor (--hypervisor-memory). */
    hypervisorMemory?: Span;
    /** The root cell's name; the host name when not given. */
    rootName?: string;
}

export interface CreatedSystem {
    config: SystemConfig;
    /** The config as YAML, with comments saying where each part came from. */
    yaml: string;
    /** What the reader should know: each also a comment at the top of the YAML. */
    notes: string[];
}

interface Cpu {
    node: DtNode;
    mpidr: bigint;
}

function findCpus(tree: DtNode): Cpu[] {
    const cpusNode = findNode(tree, "/cpus");
    const addressCells = cpusNode ? (u32Of(cpusNode, "#address-cells") ?? 2) : 2;
    const cpus = (cpusNode?.children ?? [])
        .filter((node) => stringOf(node, "device_type") === "cpu" && !isDisabled(node) && node.properties.has("reg"))
        .map((node) => ({ node, mpidr: readCells(node.properties.get("reg")!, 0, addressCells) }));
    if (cpus.length === 0) throw new LiveStateError('the device tree has no CPU under /cpus (nodes with device_type "cpu" and reg)');
    return cpus;
}

function parseOnline(text: string): number[] {
    try {
        return parseCpuListText(text);
    } catch (error) {
        if (error instanceof UnitError)
            throw new LiveStateError(`cpus-online.txt: ${error.message} (it should hold /sys/devices/system/cpu/online, e.g. "0-3")`);
        throw error;
    }
}

interface FoundConsole {
    type: "pl011" | "8250";
    address: bigint;
    flags: string[];
}

/** Linux's console (/chosen stdout-path) as the hypervisor's debug console, if the hypervisor has a driver for that UART. */
function findConsole(tree: DtNode, notes: string[]): FoundConsole | undefined {
    const chosen = findNode(tree, "/chosen");
    const stdoutPath = chosen && (stringOf(chosen, "stdout-path") ?? stringOf(chosen, "linux,stdout-path"));
    if (!stdoutPath) {
        notes.push("no debug console: /chosen has no stdout-path");
        return undefined;
    }
    const target = stdoutPath.split(":")[0];
    const aliases = findNode(tree, "/aliases");
    const resolved = target.startsWith("/") ? target : aliases && stringOf(aliases, target);
    const node = resolved ? findNode(tree, resolved) : undefined;
    const reg = node ? regOf(node)[0] : undefined;
    if (!node || !reg) {
        notes.push(`no debug console: stdout-path ${stdoutPath} names no memory-mapped device`);
        return undefined;
    }
    const compatible = node.properties.get("compatible")?.toString("latin1").split("\0") ?? [];
    if (compatible.includes("arm,pl011")) return { type: "pl011", address: reg.start, flags: ["mmio", "regdist-4"] };
    if (compatible.some((c) => /^(ns16550a?|ns8250|snps,dw-apb-uart)$/.test(c)))
        return { type: "8250", address: reg.start, flags: (u32Of(node, "reg-shift") ?? 0) === 2 ? ["mmio", "regdist-4"] : ["mmio"] };
    notes.push(
        `no debug console: Linux's console ${node.path} (${compatible[0] ?? "no compatible"}) is a UART the hypervisor has no driver for here; set debugConsole by hand`,
    );
    return undefined;
}

const hex = (value: bigint) => `0x${value.toString(16).padStart(8, "0")}`;
const sizeText = (size: bigint) => {
    const text = formatSize(size);
    return text.startsWith("0x") || text.endsWith(" B") ? hex(size) : text;
};

/** Every CPU of the device tree, checked against the online list (which must come from the same boot). */
function rootCpus(tree: DtNode, online: number[], notes: string[]): Cpu[] {
    const cpus = findCpus(tree);
    const beyond = online.filter((cpu) => cpu >= cpus.length);
    if (beyond.length)
        throw new LiveStateError(
            `CPU ${formatCpuList(beyond)} is online but the device tree lists ${cpus.length} CPUs; cpus-online.txt and devicetree.txt are not from the same boot`,
        );
    const offline = cpus.map((_, index) => index).filter((cpu) => !online.includes(cpu));
    if (offline.length)
        notes.push(
            `CPU ${formatCpuList(offline)} was offline when read (a cell running?); the root cell has every CPU, and enable needs them all online`,
        );
    return cpus;
}

/** The RAM of the device tree's memory nodes, in address order, and the nodes. */
function findRam(tree: DtNode): { ram: Span[]; ramNodes: DtNode[] } {
    const ramNodes = [...allNodes(tree)].filter((node) => stringOf(node, "device_type") === "memory" && !isDisabled(node));
    const ram: Span[] = ramNodes
        .flatMap(regOf)
        .filter((r) => r.size > 0n)
        .map((r) => ({ start: r.start, end: r.start + r.size }))
        .sort((a, b) => (a.start < b.start ? -1 : 1));
    if (ram.length === 0) throw new LiveStateError('the device tree has no memory node (device_type "memory" with reg)');
    return { ram, ramNodes };
}

/** The parsed config, which must pass check on its own: a failure here is a bug of create. */
function checkedConfig(input: SystemConfigInput): SystemConfig {
    let config: SystemConfig;
    try {
        config = parseSystemConfig(input);
    } catch (error) {
        if (error instanceof ConfigValidationError)
            throw new LiveStateError(
                `the config made from this live state is not valid (a bug of create, or an unusual host): ${error.message}`,
            );
        throw error;
    }
    const errors = errorsOf(validateHost(config, []));
    if (errors.length)
        throw new LiveStateError(
            `the config made from this live state fails check: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
        );
    return config;
}

export function systemFromLiveState(state: LiveState, options: CreateOptions = {}): CreatedSystem {
    const tree = parseDeviceTree(state.devicetree);
    const iomem = parseIomem(state.iomem);
    const linuxInterrupts = parseInterrupts(state.interrupts);
    const notes: string[] = [];

    const rootName = options.rootName ?? state.hostname.trim();
    if (!rootName || Buffer.byteLength(rootName) > CELL_NAME_MAXLEN)
        throw new LiveStateError(
            `the host name ${JSON.stringify(rootName)} cannot name the root cell (1 to ${CELL_NAME_MAXLEN} bytes); give --root-name NAME`,
        );

    const cpus = rootCpus(tree, parseOnline(state.cpusOnline), notes);
    const found = findGic(tree);
    const gicChips = new Set(linuxInterrupts.map((i) => i.chip));
    if (gicChips.size && ![...gicChips].some((chip) => chip.includes(`v${found.gic.version}`)))
        notes.push(`the device tree says GICv${found.gic.version} but /proc/interrupts names ${[...gicChips].join(", ")}`);

    const { ram, ramNodes } = findRam(tree);
    const hypervisor = chooseHypervisorMemory(ram, iomem, options.hypervisorMemory);

    // Not devices of the root: what the hypervisor owns or emulates, RAM, and nodes that describe no device registers.
    const notDevices = new Set(["/cpus", "/memory", "/reserved-memory", "/chosen", "/aliases"]);
    const skip = (node: DtNode) => node === found.node || notDevices.has(node.path) || ramNodes.includes(node);
    const treeSpans = deviceTreeSpans(tree, skip);
    const spans = [...treeSpans, ...iomemDeviceSpans(iomem, ram, treeSpans)];
    const forbidden = [...found.frames, ...ram, hypervisor.span];
    const devices = deviceRegions(spans, forbidden);
    if ([...allNodes(tree)].some(isPciHost))
        notes.push(
            "platform.pci stays zero: the hypervisor does not mediate PCI config space, so the root keeps the host bridge's ECAM as a device region",
        );

    const lastSpi = lastRootSpi(tree, found.node, linuxInterrupts);
    const regions = rootRegions(devices, ram, hypervisor.span);

    const debugConsole = findConsole(tree, notes);
    const input: SystemConfigInput = {
        architecture: "arm64",
        hypervisor: { memory: { phys: hex(hypervisor.span.start), size: sizeText(hypervisor.span.end - hypervisor.span.start) } },
        // The root may read the hypervisor's console (sysfs), as the lab's tools do.
        ...(debugConsole
            ? {
                  debugConsole: { type: debugConsole.type, address: hex(debugConsole.address), size: "4 KiB", flags: debugConsole.flags },
                  virtualDebugConsole: true,
              }
            : {}),
        platform: {
            gic: Object.fromEntries(
                Object.entries(found.gic).map(([key, value]) => [key, typeof value === "bigint" ? hex(value) : value]),
            ) as typeof found.gic,
        },
        rootCell: {
            name: rootName,
            cpus: formatCpuList(cpus.map((_, index) => index)),
            memory: regions.map((r) => ({
                name: r.name,
                phys: hex(r.span.start),
                size: sizeText(r.span.end - r.span.start),
                flags: r.flags,
            })),
            irqchips: [{ address: hex(found.distributor), spis: `0-${lastSpi}` }],
        },
    };
    const config = checkedConfig(input);

    const header = [
        `System config of ${state.hostname.trim() || "the host"} (${stringOf(tree, "model") ?? "an arm64 host"}), written by jailhouse-config create from its live state.`,
        `GICv${found.gic.version}, ${cpus.length} CPUs (MPIDR ${cpus.map((c) => `0x${c.mpidr.toString(16)}`).join(", ")}), RAM ${ram.map(describeSpan).join(", ")}, Linux's RAM ${linuxRam(iomem)}.`,
        `Hypervisor memory ${describeSpan(hypervisor.span)}: ${hypervisor.origin}.`,
        `The root owns SPIs 0-${lastSpi}: whole blocks of ${IRQCHIP_WINDOW} up to the highest SPI the device tree or /proc/interrupts names.`,
        ...notes,
    ];
    const yaml = render(
        input,
        header,
        regions.map((r) => r.comment),
    );
    return { config, yaml, notes };
}

/** The root's last SPI: whole blocks of IRQCHIP_WINDOW up to the highest SPI the device tree or Linux names. */
function lastRootSpi(tree: DtNode, gicNode: DtNode, linuxInterrupts: ReturnType<typeof parseInterrupts>): number {
    const spis = [
        ...deviceTreeSpis(tree, gicNode, (node) => interruptParent(tree, node)),
        ...linuxInterrupts.filter((i) => i.intid >= FIRST_SPI).map((i) => i.intid - FIRST_SPI),
    ];
    return Math.ceil((Math.max(0, ...spis) + 1) / IRQCHIP_WINDOW) * IRQCHIP_WINDOW - 1;
}

/** The root's memory regions: its devices, and the RAM around the hypervisor's, by address. */
function rootRegions(devices: DeviceRegion[], ram: Span[], hypervisorSpan: Span) {
    const ramRegions = ram
        .flatMap((span) => subtract(span, [hypervisorSpan]))
        .map((span, index) => ({ name: index === 0 ? "ram" : `ram-${index + 1}`, span }));
    return [
        ...devices.map((d) => ({ name: d.name, span: d as Span, flags: ["read", "write", "io"], comment: describeSources(d) })),
        ...ramRegions.map((r) => ({
            name: r.name,
            span: r.span,
            flags: ["read", "write", "execute", "dma"],
            comment: "RAM: Linux's and the free RAM later lent to cells",
        })),
    ].sort((a, b) => (a.span.start < b.span.start ? -1 : 1));
}

const linuxRam = (iomem: ReturnType<typeof parseIomem>) =>
    iomem
        .filter((e) => e.name === "System RAM")
        .map(describeSpan)
        .join(", ");

function describeSources(region: DeviceRegion): string {
    const counts = new Map<string, number>();
    for (const source of region.sources) counts.set(source, (counts.get(source) ?? 0) + 1);
    return [...counts].map(([source, count]) => (count > 1 ? `${source} x${count}` : source)).join(", ");
}

function render(input: SystemConfigInput, header: string[], regionComments: string[]): string {
    const doc = new YAML.Document(input);
    doc.commentBefore = header.map((line) => ` ${line}`).join("\n");
    const memory = doc.getIn(["rootCell", "memory"]) as YAML.YAMLSeq<YAML.YAMLMap>;
    memory.items.forEach((item, index) => {
        item.flow = true;
        if (regionComments[index]) item.commentBefore = ` ${regionComments[index]}`;
    });
    (doc.getIn(["hypervisor", "memory"]) as YAML.YAMLMap).flow = true;
    const consoleFlags = doc.getIn(["debugConsole", "flags"]) as YAML.YAMLSeq | undefined;
    if (consoleFlags) consoleFlags.flow = true;
    (doc.getIn(["rootCell", "irqchips"]) as YAML.YAMLSeq<YAML.YAMLMap>).items.forEach((item) => (item.flow = true));
    // Addresses are written as hex numbers (the loader reads them exactly, as bigints), not quoted strings.
    return doc.toString({ lineWidth: 0 }).replace(/"(0x[0-9a-f]+)"/g, "$1");
}
