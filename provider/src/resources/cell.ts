// SPDX-License-Identifier: MIT
// The Cell resource: one partition of a host, created from the root cell,
// loaded with its images and started (or left stopped).
import * as pulumi from "@pulumi/pulumi";
import type { CellConfigInput, SystemConfigInput } from "../config";
import type { HostConnectionInput } from "../host";
import type { CellImage } from "./cell-image";
import { Hypervisor } from "./hypervisor";
import { providerShim } from "./shim";

export type { CellImage } from "./cell-image";

export interface CellArgs {
    /** The hypervisor this cell runs under; its connection is used. */
    hypervisor?: Hypervisor;
    /** The connection, when the cell is managed without a Hypervisor resource. */
    connection?: pulumi.Input<HostConnectionInput>;
    /** The cell config: a typed object, or the path of a YAML or .cell file. */
    config: pulumi.Input<CellConfigInput | string>;
    images?: pulumi.Input<pulumi.Input<CellImage>[]>;
    /** "running" (default) or "stopped" (created and loaded, not started). */
    state?: pulumi.Input<"running" | "stopped">;
    /** For a cell managed with `connection` only: the host's system config, from which a linux image's DTB is generated. */
    systemConfig?: pulumi.Input<SystemConfigInput | string>;
}

export class Cell extends pulumi.dynamic.Resource {
    /** The id the driver gave the cell. */
    declare readonly cellId: pulumi.Output<number>;
    /** The sysfs state at the last create, update or refresh: "running", "shut down", "failed", or "gone" when the host has no such cell. */
    declare readonly liveState: pulumi.Output<string>;
    declare readonly liveCpus: pulumi.Output<string>;
    declare readonly configSha256: pulumi.Output<string>;
    /** The partition in words, one line per CPU set, region and interrupt set; `pulumi preview --diff` shows changes in these terms. */
    declare readonly partition: pulumi.Output<string[]>;

    constructor(name: string, args: CellArgs, opts?: pulumi.CustomResourceOptions) {
        const connection = args.hypervisor ? args.hypervisor.connection : args.connection;
        if (!connection) {
            throw new Error(`Cell ${name}: give either 'hypervisor' (a Hypervisor resource) or 'connection'`);
        }
        const outputs = { cellId: undefined, liveState: undefined, liveCpus: undefined, configSha256: undefined, partition: undefined };
        super(
            providerShim("cell"),
            name,
            {
                config: args.config,
                images: args.images ?? [],
                state: args.state ?? "running",
                connection: pulumi.secret(connection),
                hypervisorId: args.hypervisor ? args.hypervisor.id : "",
                systemConfig: args.hypervisor ? args.hypervisor.systemConfig : args.systemConfig,
                // check() names this resource in the rules across the cells of a host.
                resourceName: name,
                ...outputs,
            },
            // hypervisorId is an output of the Hypervisor, so the engine
            // orders the cell after it on create and before it on delete.
            { ...opts, additionalSecretOutputs: ["connection"] },
            "jailhouse",
            "Cell",
        );
    }
}
