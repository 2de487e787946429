// SPDX-License-Identifier: MIT
// The default example: every host in the lab inventory. Until the Hypervisor
// and Cell resources land it records each host's kernel over SSH, which
// proves the chain from `pulumi up` to the hosts.
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { readInventory } from "../../test/lab/lab";

export function labFleetProgram(): Record<string, pulumi.Output<string>> {
    const implementation = path.resolve(__dirname, "..", "..", "test", "e2e", "smoke-command.js");
    const provider: pulumi.dynamic.ResourceProvider = {
        async create(inputs) {
            return require(implementation).create(inputs);
        },
        async diff(_id, olds, news) {
            return require(implementation).diff(olds, news);
        },
    };
    class HostKernel extends pulumi.dynamic.Resource {
        declare readonly stdout: pulumi.Output<string>;
    }
    const outputs: Record<string, pulumi.Output<string>> = {};
    for (const host of readInventory().hosts) {
        const probe = new HostKernel(provider, `${host.name}-kernel`, {
            address: host.address,
            port: host.port,
            user: host.user,
            keyPath: host.keyPath,
            hostKeyFingerprint: host.hostKeyFingerprint,
            command: "uname -r",
            stdout: undefined,
        });
        outputs[host.name] = probe.stdout;
    }
    return outputs;
}
