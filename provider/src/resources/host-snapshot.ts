// SPDX-License-Identifier: MIT
// One live-state read per host per deployment: every resource on a host uses
// the snapshot the first of them took. The engine starts a new provider
// process for every deployment, so a snapshot, kept in this module, never
// outlives the deployment that took it. Within one, it is dropped as soon as
// this process starts any other command on that machine (an upload, an
// enable, a cell start...), so what the provider changed is always re-read.
import type { HostSession } from "../host";
import { type LiveHostState, type ReadOptions, readLiveState } from "./live-state";

interface Snapshot {
    state: LiveHostState;
    /** The machine's command count right after the read; any other command since makes it stale. */
    commands: number;
}

const snapshots = new Map<string, Snapshot>();

function usable(snapshot: Snapshot | undefined, host: HostSession, options: ReadOptions): snapshot is Snapshot {
    if (!snapshot || snapshot.commands !== host.commandsOnMachine) return false;
    // A read without the boot log cannot answer a caller that needs it.
    return !options.bootLog || snapshot.state.bootLog !== undefined;
}

/** The host's live state: the snapshot of this deployment while nothing ran on the host since, else a fresh read. */
export async function liveStateOf(host: HostSession, options: ReadOptions = {}): Promise<LiveHostState> {
    const kept = snapshots.get(host.machineKey);
    if (usable(kept, host, options)) {
        host.nameHost(kept.state.hostname);
        return kept.state;
    }
    const state = await readLiveState(host, options);
    snapshots.set(host.machineKey, { state, commands: host.commandsOnMachine });
    return state;
}

/** Forgets every snapshot; for callers that run several deployments in one process (tests). */
export function forgetSnapshots(): void {
    snapshots.clear();
}
