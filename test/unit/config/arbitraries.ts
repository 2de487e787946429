// SPDX-License-Identifier: MIT
// fast-check generators of valid .cell data models (binary.ts), shared by the
// codec property tests and the benchmarks. The structs are generated from
// binary.ts's own field tables, so a field added there is generated here
// too; only what the tables cannot say (names, CPU sets, section lengths,
// the architecture) is written out.
import fc from "fast-check";
import { z } from "zod";
import { type CellDesc, MAX_IOMMU_UNITS, type SystemDesc } from "../../../provider/src/config";
import * as binary from "../../../provider/src/config/binary";
import { type Field, type Struct, u8, u16, u32, u64 } from "../../../provider/src/config/layout";

type Fields = Record<string, Field>;
type Arbitraries = Record<string, fc.Arbitrary<unknown>>;

// Plain objects only: deepStrictEqual tells null-prototype records apart.
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
    fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
const hexBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString("hex"));

/** Each integer field by its schema: every value of its width. */
const integers = new Map<z.ZodType, { size: number; any: fc.Arbitrary<unknown> }>([
    [u8.schema, { size: u8.size, any: fc.integer({ min: 0, max: 0xff }) }],
    [u16.schema, { size: u16.size, any: fc.integer({ min: 0, max: 0xffff }) }],
    [u32.schema, { size: u32.size, any: fc.integer({ min: 0, max: 0xffffffff }) }],
    [u64.schema, { size: u64.size, any: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }],
]);

/** Any value of one field: an integer, a fixed array of integers, raw bytes or a struct. */
function anyOf(field: Field): fc.Arbitrary<unknown> {
    const integer = integers.get(field.schema);
    if (integer) return integer.any;
    if ("fields" in field) return rec(fieldsOf(field as Struct<Fields>));
    if (field.schema instanceof z.ZodArray) {
        const element = integers.get(field.schema.element as z.ZodType);
        if (!element) throw new Error("arbitraries: an array of a kind of field this generator does not know; add it");
        const length = field.size / element.size;
        return fc.array(element.any, { minLength: length, maxLength: length });
    }
    if (field.schema instanceof z.ZodString) return hexBytes(field.size);
    throw new Error("arbitraries: a kind of field this generator does not know; add it");
}

/** An arbitrary per field of a struct; `given` stands in for the fields the table cannot say. */
function fieldsOf(struct: Struct<Fields>, given: Arbitraries = {}): Arbitraries {
    return Object.fromEntries(Object.entries(struct.fields).map(([name, field]) => [name, given[name] ?? anyOf(field)]));
}

const cellName = fc
    .string({ minLength: 1, maxLength: 31, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_.é漢") })
    .filter((name) => Buffer.byteLength(name) <= 31);

/** How many entries of each section a generated cell has at most: enough to cover counts and offsets, few for speed. */
const sectionMax: Record<binary.CellSection, number> = {
    memory: 6,
    cache: 2,
    irqchips: 3,
    pio: 3,
    pciDevices: 2,
    pciCapabilities: 3,
    streamIds: 4,
};

export function cellDesc(signed: fc.Arbitrary<boolean> = fc.constant(true)): fc.Arbitrary<CellDesc> {
    const sections = Object.fromEntries(
        binary.cellSectionKeys.map((key) => [key, fc.array(anyOf(binary.cellSections[key].entry), { maxLength: sectionMax[key] })]),
    );
    const model: Arbitraries = {
        signed,
        architecture: fc.integer({ min: 0, max: 2 }),
        ...fieldsOf(binary.cellIdentity, { name: cellName, cpuSetSize: fc.integer({ min: 0, max: 24 }) }),
        cpuBits: fc.array(fc.nat(), { maxLength: 12 }),
        ...fieldsOf(binary.cellTail),
        ...sections,
    };
    return fc.record(model).map((generated) => {
        const { cpuBits, ...cell } = generated as { cpuBits: number[]; cpuSetSize: number };
        const bits = cell.cpuSetSize * 8;
        const cpus = bits ? [...new Set(cpuBits.map((n) => n % bits))].sort((a, b) => a - b) : [];
        return { ...cell, cpus } as CellDesc;
    });
}

const iommuUnit = anyOf(binary.iommuDesc);

export const systemDesc: fc.Arbitrary<SystemDesc> = fc
    .record({
        architecture: fc.integer({ min: 0, max: 2 }),
        ...fieldsOf(binary.systemHead, { iommuUnits: fc.array(iommuUnit, { minLength: MAX_IOMMU_UNITS, maxLength: MAX_IOMMU_UNITS }) }),
        arm: rec({ kind: fc.constant("arm" as const), ...fieldsOf(binary.armPlatform) }),
        x86: rec({ kind: fc.constant("x86" as const), ...fieldsOf(binary.x86Platform) }),
        rootCell: cellDesc(fc.boolean()),
    })
    .map(({ arm, x86, rootCell, ...system }) => {
        const cell = rootCell as CellDesc;
        return {
            ...system,
            platform: system.architecture === 0 ? x86 : arm,
            // An unsigned root header has no architecture byte of its own.
            rootCell: cell.signed ? cell : { ...cell, architecture: system.architecture as number },
        } as SystemDesc;
    });
