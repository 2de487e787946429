// SPDX-License-Identifier: MIT
// The device tree a Linux kernel boots with in a cell, from the same system
// and cell configs the cell is created from: its CPUs, PSCI, its RAM only,
// the GICv3, the arch timer, the 16550 it owns and `chosen`.
import { FIRST_SPI, ownedInterrupts } from "../irqchips";
import type { CellConfig, SystemConfig } from "../schema";
import { ConfigValidationError } from "../validate";
import { within } from "./field-path";
import { cellBootLayout, type LinuxBootLayout } from "./boot-layout";
import { type FdtNode, node, u64Cells, value } from "./fdt";
import { requireRam } from "./ram";

export interface CellTreeOptions {
    /** Appended to the default bootargs. */
    cmdline?: string;
    /** Bytes of the initrd; its place follows linuxBootLayout. */
    initrdSize?: bigint;
    /** MPIDR per CPU number; a CPU not listed has affinity = its number. */
    mpidrs?: ReadonlyMap<number, bigint>;
    /** The UART's SPI when the cell owns more than one. */
    uartSpi?: number;
    /** File names for messages. */
    systemSource?: string;
    cellSource?: string;
}

export const DEFAULT_BOOTARGS = "console=ttyS0,115200";
/** The crystal of a PC 16550, which QEMU's pci-serial models. */
export const UART_CLOCK_HZ = 1843200;
const GICD_SIZE = 0x10000n;
/** One redistributor: its RD_base and SGI_base 64 KiB frames (GICv3, no VLPIs). */
const GICR_STRIDE = 0x20000n;
const GIC_SPI = 0;
const GIC_PPI = 1;
const IRQ_LEVEL_HIGH = 4;
/** The arch timer's PPIs: secure and non-secure physical, virtual, hypervisor. */
const TIMER_PPIS = [13, 14, 11, 10];
const GIC_PHANDLE = 1;

const fail = (path: string, message: string): never => {
    throw new ConfigValidationError([{ path, message }]);
};

const reg = (start: bigint, size: bigint) => value.cells(...u64Cells(start), ...u64Cells(size));

export interface CellTree {
    tree: FdtNode;
    layout: LinuxBootLayout;
}

export function cellDeviceTree(system: SystemConfig, cell: CellConfig, options: CellTreeOptions = {}): CellTree {
    const cellSource = options.cellSource ?? "cell";
    const gic = requireFit(system, cell, options.systemSource ?? "system", cellSource);
    const ram = requireRam(cell, cellSource);
    const layout = cellBootLayout(ram, options.initrdSize ?? 0n, cellSource);
    const uart = uartNode(cell, gic.distributor, options, cellSource);

    const cpus = node(
        "cpus",
        [
            ["#address-cells", value.cells(2)],
            ["#size-cells", value.cells(0)],
        ],
        cell.cpus.map((cpu) => cpuNode(cpu, options.mpidrs)),
    );
    const memory = ram.map((r) =>
        node(`memory@${r.start.toString(16)}`, [
            ["device_type", value.string("memory")],
            ["reg", reg(r.start, r.size)],
        ]),
    );

    const tree = node(
        "",
        [
            ["model", value.string(`Jailhouse cell ${cell.name}`)],
            ["#address-cells", value.cells(2)],
            ["#size-cells", value.cells(2)],
            ["interrupt-parent", value.cells(GIC_PHANDLE)],
        ],
        [
            chosenNode(options.cmdline, uart, layout),
            ...(uart ? [node("aliases", [["serial0", value.string(`/${uart.name}`)]])] : []),
            // How a kernel knows it runs in a Jailhouse cell.
            node("hypervisor", [["compatible", value.string("jailhouse,cell")]]),
            cpus,
            psciNode(),
            ...memory,
            gicNode(gic, Math.max(...system.rootCell.cpus)),
            timerNode(),
            ...(uart ? [uart] : []),
        ],
    );
    return { tree, layout };
}

type Gic = NonNullable<SystemConfig["platform"]["gic"]>;

/** The system's GICv3, once the cell's CPUs are known to be the host's. */
function requireFit(system: SystemConfig, cell: CellConfig, systemSource: string, cellSource: string): Gic {
    const gic = system.platform.gic;
    if (!gic || gic.version !== 3)
        fail(
            `${within(systemSource)}platform.gic.version`,
            `the cell device tree describes a GICv3; this system has ${gic ? `GICv${gic.version}` : "no GIC"}`,
        );
    if (!cell.cpus.length)
        fail(`${within(cellSource)}cpus`, `cell "${cell.name}" has no CPUs, so a kernel cannot run; give e.g. cpus: 2-3`);
    const outside = cell.cpus.filter((cpu) => !system.rootCell.cpus.includes(cpu));
    if (outside.length)
        fail(
            `${within(cellSource)}cpus`,
            `CPU ${outside.join(", ")} is not one of the host's (${system.rootCell.cpus.join(", ")}); pick CPUs the root cell has`,
        );
    return gic!;
}

function gicNode(gic: Gic, lastCpu: number): FdtNode {
    return node(`interrupt-controller@${gic.distributor.toString(16)}`, [
        ["compatible", value.string("arm,gic-v3")],
        ["#interrupt-cells", value.cells(3)],
        ["interrupt-controller", value.empty()],
        ["#address-cells", value.cells(0)],
        // Every CPU's redistributor, as upstream's cell trees give it: Linux
        // finds its own by walking frames until GICR_TYPER.Last, which only
        // the host's last frame has, and the hypervisor lets a cell read any
        // frame's TYPER while keeping the other frames' registers from it.
        ["reg", Buffer.concat([reg(gic.distributor, GICD_SIZE), reg(gic.redistributor, BigInt(lastCpu + 1) * GICR_STRIDE)])],
        ["phandle", value.cells(GIC_PHANDLE)],
    ]);
}

const timerNode = () =>
    node("timer", [
        ["compatible", value.string("arm,armv8-timer")],
        ["interrupts", value.cells(...TIMER_PPIS.flatMap((ppi) => [GIC_PPI, ppi, IRQ_LEVEL_HIGH]))],
    ]);

const psciNode = () =>
    node("psci", [
        ["compatible", value.string("arm,psci-0.2")],
        // The hypervisor takes PSCI from a cell by SMC and by HVC #0; SMC as
        // upstream's cell trees use it, and as the root's firmware does.
        ["method", value.string("smc")],
    ]);

function chosenNode(cmdline: string | undefined, uart: FdtNode | undefined, layout: LinuxBootLayout): FdtNode {
    const bootargs = [DEFAULT_BOOTARGS, cmdline?.trim()].filter(Boolean).join(" ");
    const props: [string, Buffer][] = [["bootargs", value.string(bootargs)]];
    if (uart) props.push(["stdout-path", value.string(`/${uart.name}:115200n8`)]);
    if (layout.initrd)
        props.push(
            ["linux,initrd-start", value.cells(...u64Cells(layout.initrd.start))],
            ["linux,initrd-end", value.cells(...u64Cells(layout.initrd.end))],
        );
    return node("chosen", props);
}

function cpuNode(cpu: number, mpidrs?: ReadonlyMap<number, bigint>): FdtNode {
    const mpidr = mpidrs?.get(cpu) ?? BigInt(cpu);
    return node(`cpu@${mpidr.toString(16)}`, [
        ["device_type", value.string("cpu")],
        ["compatible", value.string("arm,armv8")],
        ["reg", value.cells(...u64Cells(mpidr))],
        ["enable-method", value.string("psci")],
    ]);
}

/** The cell's console as the 16550 node, with the one SPI the cell owns (or --uart-spi). */
function uartNode(cell: CellConfig, distributor: bigint, options: CellTreeOptions, source: string): FdtNode | undefined {
    const console = cell.console;
    if (console.type === "none") return undefined;
    if (console.type !== "8250")
        fail(
            `${within(source)}console.type`,
            `the device tree describes a 16550 ("8250") console; ${String(console.type)} is not supported; use type "8250" or leave the console out`,
        );
    if (!console.flags.includes("mmio"))
        fail(
            `${within(source)}console.flags`,
            "an arm64 cell reaches its 16550 through memory; add the mmio flag (a PCI I/O port appears at the host bridge's I/O window address)",
        );
    const spis = cell.irqchips
        .filter((chip) => chip.address === distributor)
        .flatMap(ownedInterrupts)
        .map((irq) => irq.number - FIRST_SPI)
        .filter((spi) => spi >= 0);
    let spi = options.uartSpi;
    if (spi !== undefined && !spis.includes(spi))
        fail(
            `${within(source)}irqchips`,
            `--uart-spi ${spi} is not an SPI of the cell (it owns ${spis.join(", ") || "none"}); give one of its SPIs or add it to irqchips`,
        );
    if (spi === undefined && spis.length > 1)
        fail(`${within(source)}irqchips`, `the cell owns SPIs ${spis.join(", ")}; say which one is the UART's with --uart-spi N`);
    spi ??= spis[0];
    const wide = console.flags.includes("regdist-4");
    const props: [string, Buffer][] = [
        ["compatible", value.string("ns16550a")],
        ["reg", reg(console.address, console.size || (wide ? 0x20n : 0x8n))],
        ["reg-shift", value.cells(wide ? 2 : 0)],
        ["reg-io-width", value.cells(wide ? 4 : 1)],
        ["clock-frequency", value.cells(UART_CLOCK_HZ)],
        ["current-speed", value.cells(115200)],
    ];
    // Without an interrupt the 8250 driver polls.
    if (spi !== undefined) props.push(["interrupts", value.cells(GIC_SPI, spi, IRQ_LEVEL_HIGH)]);
    return node(`serial@${console.address.toString(16)}`, props);
}
