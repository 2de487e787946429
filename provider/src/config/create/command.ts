// SPDX-License-Identifier: MIT
// `jailhouse-config create`: gather the live state (here, over SSH or from a
// saved folder), keep it if asked, and print or write the system config.
import * as fs from "node:fs";
import { closeAll, HostConnectionError, SshError, withHost } from "../../host";
import { gatherLocally, gatherOverSsh } from "./gather";
import { parseSpanArgument } from "./hypervisor-memory";
import { type LiveState, LiveStateError, readLiveStateDir, writeLiveStateDir } from "./live-state";
import { systemFromLiveState } from "./system-from-live";
import { sshTarget, TargetError } from "./ssh-target";

export interface CreateArguments {
    ssh?: string;
    key?: string;
    fingerprint?: string;
    from?: string;
    saveLive?: string;
    hypervisorMemory?: string;
    rootName?: string;
    output?: string;
}

/** A failure the user can fix: the message says how. */
export class CreateError extends Error {}

async function liveState(args: CreateArguments): Promise<LiveState> {
    if (args.from) {
        if (args.ssh) throw new CreateError("give --from DIR or --ssh HOST, not both");
        return readLiveStateDir(args.from);
    }
    if (!args.ssh) return gatherLocally();
    const connection = sshTarget(args.ssh, args.key, args.fingerprint);
    try {
        return await withHost(connection, gatherOverSsh);
    } finally {
        closeAll();
    }
}

/** Returns the YAML (written to args.output when given) and the notes for stderr. */
export async function createSystemConfig(args: CreateArguments): Promise<{ yaml: string; notes: string[] }> {
    try {
        if ((args.key || args.fingerprint) && !args.ssh) throw new CreateError("--key and --fingerprint go with --ssh user@host:port");
        const hypervisorMemory =
            args.hypervisorMemory === undefined ? undefined : parseSpanArgument(args.hypervisorMemory, "--hypervisor-memory");
        const state = await liveState(args);
        if (args.saveLive) writeLiveStateDir(args.saveLive, state);
        const created = systemFromLiveState(state, { hypervisorMemory, rootName: args.rootName });
        if (args.output) fs.writeFileSync(args.output, created.yaml);
        return { yaml: created.yaml, notes: created.notes };
    } catch (error) {
        if (
            error instanceof LiveStateError ||
            error instanceof TargetError ||
            error instanceof HostConnectionError ||
            error instanceof SshError
        )
            throw new CreateError(error.message);
        throw error;
    }
}
