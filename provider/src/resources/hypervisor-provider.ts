// SPDX-License-Identifier: MIT
// The Hypervisor resource's implementation: checks its inputs, and builds,
// installs and enables the hypervisor over SSH around the plan's decisions.
import { packageRoot } from "../package-root";
import { encodeSystemConfig, summarizeSystem, errorsOf, validateHost } from "../config";
import { type HostSession, withHost } from "../host";
import { declareSystem } from "./declared-partitions";
import { liveStateOf } from "./host-snapshot";
import type { LiveHostState } from "./live-state";
import { formatPreflight, preflight } from "./preflight";
import {
    diffHypervisorResource,
    type HypervisorResourceState,
    issueFailures,
    parsedSystemConfig,
    planHypervisorUpdate,
    resolveSystemConfig,
    storeSystemConfig,
} from "./plan";
import { buildAndInstallScript, disableScript, enableScript, remoteSources, remoteSystemConfig } from "./remote-layout";
import { treeManifest } from "./tree-manifest";
import { checkConfigInput, connectionFailures, diffAnswer, hostOf, isKnownHost, log, type ProviderImplementation } from "./provider-common";

// Like the code itself, the sources are those of the package this process
// loaded; reading them once spares every Hypervisor of a fleet a walk and
// hash of the whole tree.
let bundled: { files: string[]; hash: string } | undefined;
function bundledSources(): { files: string[]; hash: string } {
    return (bundled ??= treeManifest(packageRoot, ["hypervisor", "kmod"]));
}

interface HypervisorProps {
    connection: unknown;
    host: string;
    systemConfig: Record<string, unknown>;
    configSha256: string;
    stack: "bundled" | "installed";
    sourcesSha256: string;
}

function hypervisorOutputs(inputs: HypervisorProps, live: LiveHostState) {
    return {
        ...inputs,
        hostName: live.hostname,
        kernelRelease: live.kernelRelease,
        firmwareSha256: live.firmwareSha256 ?? "",
        moduleBuild: live.buildStamp ?? "",
        enabled: live.jailhouse?.enabled ?? false,
        memPoolSize: live.jailhouse?.memPoolSize ?? 0,
        memPoolUsed: live.jailhouse?.memPoolUsed ?? 0,
        remapPoolSize: live.jailhouse?.remapPoolSize ?? 0,
        remapPoolUsed: live.jailhouse?.remapPoolUsed ?? 0,
    };
}

const buildStamp = (inputs: HypervisorProps, live: LiveHostState) => `${inputs.sourcesSha256} ${live.kernelRelease}`;

async function convergeHypervisor(host: HostSession, inputs: HypervisorProps, live: LiveHostState, reenable: boolean) {
    const label = host.label;
    const system = parsedSystemConfig(inputs.systemConfig);
    if (!live.jailhouse?.enabled) {
        // Only an enable needs the boot log, so only now is it read.
        const facts = await liveStateOf(host, { bootLog: true });
        const failures = preflight(
            { dmesg: facts.bootLog ?? "", cmdline: live.cmdline, onlineCpus: live.onlineCpus, systemRam: live.systemRam },
            {
                rootCpus: system.rootCell.cpus,
                hypervisorMemory: { start: system.hypervisor.memory.phys, size: system.hypervisor.memory.size },
            },
        );
        if (failures.length) throw new Error(formatPreflight(label, failures));
    }
    if (inputs.stack === "bundled") {
        const sources = bundledSources();
        log(`${label}: upload hypervisor and driver sources`);
        await host.uploadTree(packageRoot, sources.files, remoteSources, sources.hash);
        const stamp = buildStamp(inputs, live);
        if (live.buildStamp !== stamp) {
            if (live.jailhouse?.enabled) {
                log(`${label}: disable to replace the running hypervisor`);
                await host.run("disable", disableScript());
            }
            await host.run("build and install hypervisor, module, CLI and demos", buildAndInstallScript(stamp), { timeoutMs: 20 * 60_000 });
        } else log(`${label}: build skipped: sources and kernel ${live.kernelRelease} unchanged`);
    }
    await host.upload(encodeSystemConfig(system), remoteSystemConfig, 0o644);
    if (reenable && live.jailhouse?.enabled) await host.run("disable to apply the new system config", disableScript());
    await host.run("enable", enableScript(), { timeoutMs: 5 * 60_000 });
    return hypervisorOutputs(inputs, await liveStateOf(host));
}

export const hypervisorProvider: ProviderImplementation = {
    async check(_olds, news) {
        const failures = connectionFailures(news.connection);
        const inputs: Record<string, unknown> = {
            connection: news.connection,
            host: hostOf(news.connection),
            stack: news.stack ?? "bundled",
        };
        if (!["bundled", "installed"].includes(String(inputs.stack)))
            failures.push({ property: "stack", reason: `stack: "${String(inputs.stack)}" is not known; use "bundled" or "installed"` });
        inputs.sourcesSha256 = inputs.stack === "bundled" ? bundledSources().hash : "";
        checkConfigInput(news.systemConfig, inputs, failures, {
            property: "systemConfig",
            resolve: resolveSystemConfig,
            check(system, failures) {
                failures.push(...issueFailures("systemConfig", errorsOf(validateHost(system, []))));
                if (isKnownHost(inputs.host)) declareSystem(String(inputs.host), system);
            },
            store: storeSystemConfig,
            derived: (system) => ({ partition: summarizeSystem(system) }),
        });
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        return diffAnswer(news.host, diffHypervisorResource(olds as HypervisorResourceState, news as HypervisorResourceState));
    },

    async create(inputs) {
        const props = inputs as HypervisorProps;
        const outs = await withHost(props.connection, async (host) => convergeHypervisor(host, props, await liveStateOf(host), false), log);
        return { id: `${props.host}/hypervisor`, outs };
    },

    async read(id, props) {
        const inputs = props as HypervisorProps;
        const live = await withHost(inputs.connection, (host) => liveStateOf(host), log);
        return { id, props: hypervisorOutputs(inputs, live) };
    },

    async update(_id, olds, news) {
        const inputs = news as HypervisorProps;
        return {
            outs: await withHost(
                inputs.connection,
                async (host) => {
                    const live = await liveStateOf(host);
                    if (!diffHypervisorResource(olds as HypervisorResourceState, inputs).converge) {
                        log(`${host.label}: new connection works; nothing on the host changes`);
                        return hypervisorOutputs(inputs, live);
                    }
                    const plan = planHypervisorUpdate(
                        host.label,
                        {
                            config: olds.systemConfig,
                            configSha256: olds.configSha256,
                            sourcesStamp: `${olds.sourcesSha256} ${live.kernelRelease}`,
                        },
                        { config: inputs.systemConfig, configSha256: inputs.configSha256, sourcesStamp: buildStamp(inputs, live) },
                        live,
                    );
                    plan.reasons.forEach(log);
                    if (plan.refuse) throw new Error(plan.refuse);
                    return convergeHypervisor(host, inputs, live, plan.reenable);
                },
                log,
            ),
        };
    },

    async delete(_id, props) {
        const inputs = props as HypervisorProps;
        await withHost(inputs.connection, (host) => host.run("disable and unload", disableScript()), log);
    },
};
