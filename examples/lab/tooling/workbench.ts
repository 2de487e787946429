// SPDX-License-Identifier: MIT
// Where the workbench keeps what it builds and downloads, shared by the lab,
// the tests and `npm start`. Mirrors examples/lab/setup/common.sh.
import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../../../provider/src/package-root";
import { cacheDir } from "../inventory";

/** The checkout: the package root of the provider built here. */
export const repoRoot = packageRoot;

export { cacheDir };

function pinnedVersions(): Record<string, string> {
    const text = fs.readFileSync(path.join(repoRoot, "examples", "lab", "setup", "versions.env"), "utf8");
    const versions: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (match) versions[match[1]] = match[2];
    }
    return versions;
}

export const pulumiVersion = pinnedVersions().PULUMI_VERSION;

export function pulumiBinDir(): string {
    return path.join(cacheDir(), `pulumi-${pulumiVersion}`, "bin");
}

/** Environment for the Pulumi CLI: our build first on PATH, a private PULUMI_HOME, no network fetches. */
export function pulumiEnv(backendDir: string): Record<string, string> {
    fs.mkdirSync(backendDir, { recursive: true });
    return {
        PATH: `${pulumiBinDir()}:${path.join(repoRoot, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(cacheDir(), "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
    };
}
