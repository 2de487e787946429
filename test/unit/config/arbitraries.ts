// SPDX-License-Identifier: MIT
// fast-check generators of valid .cell data models (binary.ts), shared by the
// codec property tests and the benchmarks.
import fc from "fast-check";
import type { CellDesc, ConsoleDesc, IommuDesc, MemoryDesc, SystemDesc } from "../../../provider/src/config";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
// Plain objects only: deepStrictEqual tells null-prototype records apart.
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
    fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
const hexBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString("hex"));

const consoleDesc: fc.Arbitrary<ConsoleDesc> = rec({
    address: u64,
    size: u32,
    type: u16,
    flags: u16,
    divider: u32,
    gateNr: u32,
    clockReg: u64,
});
const memoryDesc: fc.Arbitrary<MemoryDesc> = rec({ physStart: u64, virtStart: u64, size: u64, flags: u64 });

const cellName = fc
    .string({ minLength: 1, maxLength: 31, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_.é漢") })
    .filter((name) => Buffer.byteLength(name) <= 31);

export function cellDesc(signed: fc.Arbitrary<boolean> = fc.constant(true)): fc.Arbitrary<CellDesc> {
    return fc
        .record({
            signed,
            architecture: fc.integer({ min: 0, max: 2 }),
            name: cellName,
            id: u32,
            flags: u32,
            cpuSetSize: fc.integer({ min: 0, max: 24 }),
            cpuBits: fc.array(fc.nat(), { maxLength: 12 }),
            vpciIrqBase: u32,
            cpuResetAddress: u64,
            msgReplyTimeout: u64,
            console: consoleDesc,
            memory: fc.array(memoryDesc, { maxLength: 6 }),
            cache: fc.array(rec({ start: u32, size: u32, type: u8, padding: u8, flags: u16 }), { maxLength: 2 }),
            irqchips: fc.array(rec({ address: u64, id: u32, pinBase: u32, pinBitmap: fc.tuple(u32, u32, u32, u32) }), { maxLength: 3 }),
            pio: fc.array(rec({ base: u16, length: u16 }), { maxLength: 3 }),
            pciDevices: fc.array(
                rec({
                    type: u8,
                    iommu: u8,
                    domain: u16,
                    bdf: u16,
                    barMask: fc.tuple(u32, u32, u32, u32, u32, u32),
                    capsStart: u16,
                    numCaps: u16,
                    numMsiVectors: u8,
                    msiFlags: u8,
                    numMsixVectors: u16,
                    msixRegionSize: u16,
                    msixAddress: u64,
                    shmemRegionsStart: u32,
                    shmemDevId: u8,
                    shmemPeers: u8,
                    shmemProtocol: u16,
                }),
                { maxLength: 2 },
            ),
            pciCapabilities: fc.array(rec({ id: u16, start: u16, len: u16, flags: u16 }), { maxLength: 3 }),
            streamIds: fc.array(u32, { maxLength: 4 }),
        })
        .map(({ cpuBits, ...cell }) => {
            const bits = cell.cpuSetSize * 8;
            const cpus = bits ? [...new Set(cpuBits.map((n) => n % bits))].sort((a, b) => a - b) : [];
            return { ...cell, cpus };
        });
}

const iommuDesc: fc.Arbitrary<IommuDesc> = rec({ type: u32, base: u64, size: u32, vendorData: hexBytes(12) });

export const systemDesc: fc.Arbitrary<SystemDesc> = fc
    .record({
        architecture: fc.integer({ min: 0, max: 2 }),
        flags: u32,
        hypervisorMemory: memoryDesc,
        debugConsole: consoleDesc,
        pciMmconfigBase: u64,
        pciMmconfigEndBus: u8,
        pciIsVirtual: u8,
        pciDomain: u16,
        iommuUnits: fc.array(iommuDesc, { minLength: 8, maxLength: 8 }),
        arm: rec({
            kind: fc.constant("arm" as const),
            maintenanceIrq: u8,
            gicVersion: u8,
            padding: u16,
            gicdBase: u64,
            giccBase: u64,
            gichBase: u64,
            gicvBase: u64,
            gicrBase: u64,
        }),
        x86: rec({
            kind: fc.constant("x86" as const),
            pmTimerAddress: u16,
            apicMode: u8,
            padding: u8,
            vtdInterruptLimit: u32,
            tscKhz: u32,
            apicKhz: u32,
            unused: hexBytes(28),
        }),
        rootCell: cellDesc(fc.boolean()),
    })
    .map(({ arm, x86, rootCell, ...system }) => ({
        ...system,
        platform: system.architecture === 0 ? x86 : arm,
        // An unsigned root header has no architecture byte of its own.
        rootCell: rootCell.signed ? rootCell : { ...rootCell, architecture: system.architecture },
    }));
