// SPDX-License-Identifier: MIT
// The Hypervisor resource: our Jailhouse-compatible hypervisor loaded and
// enabled on one host. Only the shim is serialized; see shim.ts.
import * as pulumi from "@pulumi/pulumi";
import type { HostConnectionInput } from "../host";
import type { SystemConfigInput } from "../config";
import { providerShim } from "./shim";

export interface HypervisorArgs {
    /** How to reach the host over SSH. Keys and passwords are kept secret in the state. */
    connection: pulumi.Input<HostConnectionInput>;
    /** The system config: a typed object, or the path of a YAML or .cell file. */
    systemConfig: pulumi.Input<SystemConfigInput | string>;
    /**
     * Where the stack comes from: "bundled" (default) deploys this package's
     * hypervisor/ and kmod/ and builds them on the host; "installed" uses a
     * Jailhouse already installed there (the `jailhouse` CLI on PATH, module
     * loadable with modprobe, firmware in /lib/firmware).
     */
    stack?: pulumi.Input<"bundled" | "installed">;
}

export class Hypervisor extends pulumi.dynamic.Resource {
    declare readonly connection: pulumi.Output<HostConnectionInput>;
    declare readonly hostName: pulumi.Output<string>;
    declare readonly kernelRelease: pulumi.Output<string>;
    declare readonly firmwareSha256: pulumi.Output<string>;
    /** "<sources sha256> <kernel release>" of the module and CLI built on the host. */
    declare readonly moduleBuild: pulumi.Output<string>;
    declare readonly configSha256: pulumi.Output<string>;
    /** The system config as stored: what a Linux cell's generated DTB is made from. */
    declare readonly systemConfig: pulumi.Output<Record<string, unknown>>;
    declare readonly enabled: pulumi.Output<boolean>;
    /** The partition in words, one line per CPU set, region and interrupt set; `pulumi preview --diff` shows changes in these terms. */
    declare readonly partition: pulumi.Output<string[]>;
    declare readonly memPoolSize: pulumi.Output<number>;
    declare readonly memPoolUsed: pulumi.Output<number>;
    declare readonly remapPoolSize: pulumi.Output<number>;
    declare readonly remapPoolUsed: pulumi.Output<number>;

    constructor(name: string, args: HypervisorArgs, opts?: pulumi.CustomResourceOptions) {
        const outputs = {
            hostName: undefined,
            kernelRelease: undefined,
            firmwareSha256: undefined,
            moduleBuild: undefined,
            configSha256: undefined,
            partition: undefined,
            enabled: undefined,
            memPoolSize: undefined,
            memPoolUsed: undefined,
            remapPoolSize: undefined,
            remapPoolUsed: undefined,
        };
        super(
            providerShim("hypervisor"),
            name,
            { stack: "bundled", ...args, connection: pulumi.secret(args.connection), ...outputs },
            { ...opts, additionalSecretOutputs: ["connection"] },
            "jailhouse",
            "Hypervisor",
        );
    }
}
