// SPDX-License-Identifier: MIT
// Parsing, validating and storing a config takes milliseconds, and one
// preview of a fleet asks for the same few configs once per resource and
// per call (check, read, diff). Within one provider process the answer for
// the same content is computed once. The key is the content itself (a
// file's bytes, never its path alone), so a file edited between two calls
// is read afresh, and nothing outlives the process, so a deployment never
// sees an earlier one's answers.
import * as crypto from "node:crypto";

/** Enough for every config of a large fleet program; the oldest entry goes first beyond it. */
const capacity = 512;

const byContent = new Map<string, object>();
const byObject = new WeakMap<object, object>();

/** Frozen because one answer is shared by every caller: a caller that changed it would change the others'. */
function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const field of Object.values(value)) deepFreeze(field);
    }
    return value;
}

function contentKey(kind: string, input: unknown): string | undefined {
    if (Buffer.isBuffer(input)) return `${kind}\0bytes\0${crypto.createHash("sha256").update(input).digest("hex")}`;
    try {
        return `${kind}\0value\0${JSON.stringify(input)}`;
    } catch {
        // A value JSON cannot hold (a bigint in a TypeScript config) is parsed every time.
        return undefined;
    }
}

/**
 * `compute(input)` for a config given as a file's bytes or as a plain value,
 * computed once per kind and content. A failure is not kept: it is computed again, and thrown
 * again, on the next call.
 */
export function memoizedByContent<I, V extends object>(kind: string, input: I, compute: (input: I) => V): V {
    const key = contentKey(kind, input);
    if (key === undefined) return compute(input);
    const known = byContent.get(key);
    if (known) return known as V;
    const value = deepFreeze(compute(input));
    if (byContent.size >= capacity) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, value);
    return value;
}

/** `compute(source)` for an object (a config this module returned), computed once per object. */
export function memoizedOf<S extends object, V extends object>(source: S, compute: (source: S) => V): V {
    const known = byObject.get(source);
    if (known) return known as V;
    const value = deepFreeze(compute(source));
    byObject.set(source, value);
    return value;
}
