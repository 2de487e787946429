// SPDX-License-Identifier: MIT
// The config reference (provider/config-reference.md), generated from the
// JSON Schema of the zod schemas so it cannot drift from the code; a unit
// test compares the committed file with this output.
import { jsonSchemas } from "./json-schema";
import { usage } from "./usage";

type Node = Record<string, unknown>;

function typeOf(node: Node): string {
    if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
    if (node.const !== undefined) return `\`${String(node.const)}\``;
    if (Array.isArray(node.anyOf)) return [...new Set((node.anyOf as Node[]).map(typeOf))].join(" or ");
    if (node.type === "array") return `list of ${typeOf((node.items as Node) ?? {})}`;
    return typeof node.type === "string" ? node.type : "any";
}

function rows(node: Node, prefix: string, out: string[], sections: [string, Node][]) {
    const properties = (node.properties ?? {}) as Record<string, Node>;
    const required = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(properties)) {
        const path = prefix ? `${prefix}.${key}` : key;
        const items = child.type === "array" ? (child.items as Node) : undefined;
        const nested = child.type === "object" ? child : items?.type === "object" ? items : undefined;
        const fallback = nested?.description ?? "";
        const description = String(child.description ?? fallback).replace(/\|/g, "\\|");
        const type = nested ? (items ? "list of objects" : "object") : typeOf(child);
        const presence = required.has(key)
            ? "required"
            : child.default !== undefined
              ? `default \`${JSON.stringify(child.default)}\``
              : "optional";
        out.push(`| \`${path}\` | ${type} | ${presence} | ${description} |`);
        if (nested) sections.push([items ? `${path}[]` : path, nested]);
    }
}

function table(title: string, node: Node): string {
    const out: string[] = [];
    const sections: [string, Node][] = [["", node]];
    for (let i = 0; i < sections.length; i++) {
        const [path, section] = sections[i];
        out.push(`### ${path ? `\`${path}\`` : title}`, "", "| Key | Type | | Meaning |", "|---|---|---|---|");
        rows(section, "", out, []);
        rows(section, path, [], sections);
        out.push("");
    }
    return out.join("\n");
}

export function configReference(): string {
    const schemas = jsonSchemas();
    return [
        "# Config reference",
        "",
        "Generated from the zod schemas in `provider/src/config/schema.ts` by",
        "`npm run config -- reference`; do not edit by hand.",
        "",
        'Addresses and sizes accept numbers or strings: `0x7f000000`, `4096`, `"64 MiB"`, `"4 KiB"`.',
        'CPU and SPI lists accept `1`, `"2-3"`, `"0,2-3"` or `[0, "2-3"]`. Unknown keys are errors.',
        "A file with a `hypervisor` or `rootCell` key is a system config; any other is a cell config.",
        "",
        "## System config",
        "",
        table("System config", schemas.system),
        "## Cell config",
        "",
        table("Cell config", schemas.cell),
        "## Command line",
        "",
        "`jailhouse-config` (or `npm run config --`). `diff --exit-code` makes a difference exit 1, for CI checks of partition changes.",
        "",
        "`create` writes an arm64 host's system config from its live state: the device tree under `/sys/firmware/devicetree/base`",
        "(CPUs, memory, the GIC's version, frames and maintenance interrupt, the console of `/chosen`, PCI host bridges),",
        "`/proc/iomem`, `/proc/interrupts` and the online CPUs, read on the host, over SSH (`--ssh` a lab host name, or",
        "`user@host:port` with `--key` and `--fingerprint`) or from a folder a `--save-live` run wrote (`--from`). The",
        "hypervisor's memory is `--hypervisor-memory ADDR,SIZE`, RAM Linux does not use, or else 16 MiB at the top of the",
        "RAM above Linux's. The YAML's comments say where each part came from.",
        "",
        "```",
        usage,
        "```",
        "",
    ].join("\n");
}
