// SPDX-License-Identifier: MIT
// The GIC as the device tree gives it: version, register frames and the
// maintenance interrupt the hypervisor needs for its virtual interface.
import type { z } from "zod";
import type { GicSchema } from "../schema";
import { allNodes, type DtNode, readCells, regOf, stringsOf, u32Of } from "./devicetree";
import { LiveStateError } from "./live-state";
import type { Span } from "./ranges";

const gicV3Compatibles = ["arm,gic-v3"];
const gicV2Compatibles = ["arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,cortex-a7-gic", "arm,gic-v2"];
const PPI_BASE = 16;
const SPI_BASE = 32;

export interface FoundGic {
    node: DtNode;
    gic: z.input<typeof GicSchema>;
    distributor: bigint;
    /** Register frames the root must not map: the hypervisor emulates or owns them. */
    frames: Span[];
}

export function findGic(root: DtNode): FoundGic {
    const candidates = [...allNodes(root)].filter(
        (node) =>
            node.properties.has("interrupt-controller") &&
            stringsOf(node, "compatible").some((c) => [...gicV3Compatibles, ...gicV2Compatibles].includes(c)),
    );
    if (candidates.length === 0)
        throw new LiveStateError(
            "the device tree has no GICv2 or GICv3 node (compatible arm,gic-v3, arm,gic-400, arm,cortex-a15-gic, ...); create supports arm64 hosts with a GIC",
        );
    const node = candidates[0];
    const version = stringsOf(node, "compatible").some((c) => gicV3Compatibles.includes(c)) ? 3 : 2;
    const reg = regOf(node);
    const maintenanceIrq = maintenanceInterrupt(node);
    const frames = reg.map((r) => ({ start: r.start, end: r.start + r.size }));
    if (version === 3) {
        if (reg.length < 2)
            throw new LiveStateError(
                `${node.path}: a GICv3 node needs the distributor and redistributor in reg, it has ${reg.length} entries`,
            );
        const regions = u32Of(node, "#redistributor-regions") ?? 1;
        if (regions > 1)
            throw new LiveStateError(
                `${node.path}: the GIC has ${regions} redistributor regions; the system config holds one redistributor base, so this host's config must be written by hand`,
            );
        return {
            node,
            gic: { version, maintenanceIrq, distributor: reg[0].start, redistributor: reg[1].start },
            distributor: reg[0].start,
            frames,
        };
    }
    if (reg.length < 4)
        throw new LiveStateError(
            `${node.path}: the GICv2 node lists ${reg.length} register frames; the hypervisor needs all four (distributor, CPU interface, hypervisor and virtual CPU interface), which the firmware gives only when EL2 is available`,
        );
    return {
        node,
        gic: {
            version,
            maintenanceIrq,
            distributor: reg[0].start,
            cpuInterface: reg[1].start,
            hypervisorInterface: reg[2].start,
            virtualCpuInterface: reg[3].start,
        },
        distributor: reg[0].start,
        frames,
    };
}

/** The INTID of the GIC's own interrupt: the maintenance interrupt of its virtualization extension. */
function maintenanceInterrupt(node: DtNode): number {
    const value = node.properties.get("interrupts");
    const cells = u32Of(node, "#interrupt-cells") ?? 3;
    if (!value || value.length < cells * 4 || cells < 2)
        throw new LiveStateError(
            `${node.path} has no interrupts property, so the GIC's maintenance interrupt is unknown; firmware gives it when EL2 is available to Linux (QEMU: -M virt,virtualization=on), which the hypervisor needs anyway`,
        );
    const [type, number] = [Number(readCells(value, 0, 1)), Number(readCells(value, 1, 1))];
    return (type === 1 ? PPI_BASE : SPI_BASE) + number;
}

/** The SPIs (INTID - 32) the device tree's nodes raise on `gic`. */
export function deviceTreeSpis(root: DtNode, gic: DtNode, parentOf: (node: DtNode) => DtNode | undefined): number[] {
    const cells = u32Of(gic, "#interrupt-cells") ?? 3;
    const spis: number[] = [];
    for (const node of allNodes(root)) {
        const value = node.properties.get("interrupts");
        if (!value || node === gic || parentOf(node) !== gic || cells < 2) continue;
        for (let at = 0; (at + cells) * 4 <= value.length; at += cells)
            if (readCells(value, at, 1) === 0n) spis.push(Number(readCells(value, at + 1, 1)));
    }
    return spis;
}
