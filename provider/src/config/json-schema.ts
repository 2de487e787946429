// SPDX-License-Identifier: MIT
// The config schemas as JSON Schema, for editors' YAML completion.
import { z } from "zod";
import { CellConfigSchema, SystemConfigSchema } from "./schema";

/** The JSON Schema editors use for YAML completion (`jailhouse-config schema`). */
export function jsonSchemas(): Record<"system" | "cell", Record<string, unknown>> {
    const options = { io: "input", unrepresentable: "any" } as const;
    return {
        system: tidySchema(z.toJSONSchema(SystemConfigSchema, options)) as Record<string, unknown>,
        cell: tidySchema(z.toJSONSchema(CellConfigSchema, options)) as Record<string, unknown>,
    };
}

// bigint inputs come out as `{}` (anything) in JSON Schema; YAML and JSON
// numbers are covered by the number branch, so the empty branch only hides
// mistakes from editors.
function tidySchema(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(tidySchema);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = tidySchema(value);
    if (Array.isArray(out.anyOf)) {
        const branches = out.anyOf.filter((b) => typeof b !== "object" || b === null || Object.keys(b).length > 0);
        if (branches.length === 1) {
            delete out.anyOf;
            Object.assign(out, branches[0]);
        } else out.anyOf = branches;
    }
    return out;
}
