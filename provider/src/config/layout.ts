// SPDX-License-Identifier: MIT
// Building blocks of the .cell field tables in binary.ts. A field knows its
// size in bytes, its zod schema, and how to write and read itself, so one
// table gives the encoder, the decoder, the data model and the struct sizes
// that the ABI test compares with the C header.
import { z } from "zod";
import type { Reader, Writer } from "./wire";

export interface Field<S extends z.ZodType = z.ZodType> {
    readonly size: number;
    readonly schema: S;
    write(w: Writer, value: z.infer<S>): void;
    read(r: Reader): z.infer<S>;
}

const uintSchema = (bits: 8 | 16 | 32) =>
    z
        .number()
        .int()
        .min(0)
        .max(2 ** bits - 1);

export const u8: Field<z.ZodNumber> = { size: 1, schema: uintSchema(8), write: (w, v) => w.u8(v), read: (r) => r.u8() };
export const u16: Field<z.ZodNumber> = { size: 2, schema: uintSchema(16), write: (w, v) => w.u16(v), read: (r) => r.u16() };
export const u32: Field<z.ZodNumber> = { size: 4, schema: uintSchema(32), write: (w, v) => w.u32(v), read: (r) => r.u32() };
export const u64: Field<z.ZodBigInt> = {
    size: 8,
    schema: z
        .bigint()
        .min(0n)
        .max((1n << 64n) - 1n),
    write: (w, v) => w.u64(v),
    read: (r) => r.u64(),
};

/** Hex digits of `bytes` zero bytes: the value of an unused raw field. */
export const zeroHex = (bytes: number) => "0".repeat(2 * bytes);

/** Bytes kept as found (padding, unions without names), as lower-case hex. */
export function rawBytes(bytes: number): Field<z.ZodString> {
    return {
        size: bytes,
        schema: z.string().regex(new RegExp(`^[0-9a-f]{${2 * bytes}}$`)),
        write: (w, v) => w.raw(Buffer.from(v, "hex")),
        read: (r) => Buffer.from(r.raw(bytes)).toString("hex"),
    };
}

/** A C array of fixed length, such as `__u32 bar_mask[6]`. */
export function fixedArray<S extends z.ZodType>(element: Field<S>, length: number): Field<z.ZodArray<S>> {
    return {
        size: element.size * length,
        schema: z.array(element.schema).length(length),
        write: (w, values) => values.forEach((v) => element.write(w, v)),
        read: (r) => Array.from({ length }, () => element.read(r)),
    };
}

type Fields = Record<string, Field>;
type ShapeOf<F extends Fields> = { [K in keyof F]: F[K]["schema"] };
export type Struct<F extends Fields> = Field<z.ZodObject<ShapeOf<F>, z.core.$strict>> & {
    readonly fields: F;
    /** Byte offset of each field from the start of the struct. */
    readonly offsets: { readonly [K in keyof F]: number };
};

/** A C struct: the fields in declaration order, which is the byte order. */
export function struct<F extends Fields>(fields: F): Struct<F> {
    const entries = Object.entries(fields);
    const shape = Object.fromEntries(entries.map(([name, field]) => [name, field.schema])) as ShapeOf<F>;
    const offsets: Record<string, number> = {};
    let size = 0;
    for (const [name, field] of entries) {
        offsets[name] = size;
        size += field.size;
    }
    return {
        fields,
        offsets: offsets as Struct<F>["offsets"],
        size,
        schema: z.strictObject(shape),
        write(w, value) {
            const record = value as Record<string, unknown>;
            for (const [name, field] of entries) field.write(w, record[name]);
        },
        read(r) {
            return Object.fromEntries(entries.map(([name, field]) => [name, field.read(r)])) as z.infer<
                z.ZodObject<ShapeOf<F>, z.core.$strict>
            >;
        },
    };
}
