// SPDX-License-Identifier: MIT
// Pulumi serializes a dynamic provider as source text, together with all it
// captures, into the state of every resource. So the provider object is a
// shim that captures three plain strings (package name, version, kind) and
// finds the implementation at call time by package name: no zod schema, ssh2
// object or connection pool reaches the serializer, the code that runs is
// the code installed now, and the state names no path of the machine that
// wrote it, so any checkout or CI runner can refresh, change and destroy it.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { packageRoot } from "../package-root";

export type ProviderKind = "hypervisor" | "cell";

/** The subpath of the package (package.json "exports") that holds the implementation. */
export const implementationSubpath = "provider";

/** This package's name and version, read from its package.json when a resource is declared. */
export function packageIdentity(): { name: string; version: string } {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
        name: string;
        version: string;
    };
    return { name: manifest.name, version: manifest.version };
}

// One shim per kind and process: the SDK caches a provider's serialized text
// by object, so every resource of a kind after the first skips the closure
// serializer (about 0.1 s a resource, which adds up across a fleet).
const shims = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();

export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    let shim = shims.get(kind);
    if (!shim) {
        shim = newShim(kind);
        shims.set(kind, shim);
    }
    return shim;
}

function newShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    const { name: packageName, version: packageVersion } = packageIdentity();
    const entry = `${packageName}/${implementationSubpath}`;
    // Runs in the engine's provider process, whose working folder is the
    // program's. Resolving from a file in that folder finds the package in
    // the program's node_modules, or the package itself when the program
    // lives inside it (self-reference through package.json "exports").
    const load = () => {
        const programRequire = createRequire(`${process.cwd()}/program.js`);
        let resolved: string;
        try {
            resolved = programRequire.resolve(entry);
        } catch {
            throw new Error(
                `this stack's ${kind} resources are managed by ${packageName}@${packageVersion}, which is not installed where the program runs (${process.cwd()}); ` +
                    `install it there with: npm install ${packageName}@${packageVersion}`,
            );
        }
        return programRequire(resolved).providers[kind] as Required<pulumi.dynamic.ResourceProvider>;
    };
    return {
        check: async (olds, news) => load().check(olds, news),
        diff: async (id, olds, news) => load().diff(id, olds, news),
        create: async (inputs) => load().create(inputs),
        read: async (id, props) => load().read(id, props),
        update: async (id, olds, news) => load().update(id, olds, news),
        delete: async (id, props) => load().delete(id, props),
    };
}
