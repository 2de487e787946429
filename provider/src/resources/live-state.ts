// SPDX-License-Identifier: MIT
// A host's whole live state, read in one round trip: the host's native
// reader (`jailhouse state --json`) where its CLI has it, else the shell
// reader, chosen on the host within the same command.
import type { HostSession } from "../host";
import { type LiveHostState, type ReadOptions } from "./live-state-schema";
import { nativeReaderCommand, parseNativeOutput } from "./native-reader";
import { parseShellOutput, shellReaderScript } from "./shell-reader";

export * from "./live-state-schema";
export { liveStateScript, parseShellOutput, shellReaderScript } from "./shell-reader";
export { nativeReaderCommand, parseNativeOutput } from "./native-reader";

/** Either reader's output: the native one is a JSON object, the shell one key=value lines. */
export function parseLiveState(text: string): LiveHostState {
    return text.trimStart().startsWith("{") ? parseNativeOutput(text) : parseShellOutput(text);
}

/** The command that reads the live state; "auto" falls back to the shell reader when the native one is missing or fails. */
export function readerCommand(options: ReadOptions = {}): string {
    const reader = options.reader ?? "auto";
    if (reader === "shell") return shellReaderScript(options);
    if (reader === "native") return nativeReaderCommand(options);
    return [
        `if out=$(${nativeReaderCommand(options)} 2>/dev/null); then printf '%s\\n' "$out"; else`,
        shellReaderScript(options),
        "fi",
    ].join("\n");
}

/** The whole live state in one round trip; log lines name the host by its own name from then on. */
export async function readLiveState(host: HostSession, options: ReadOptions = {}): Promise<LiveHostState> {
    const result = await host.exec(readerCommand(options));
    try {
        const state = parseLiveState(result.stdout);
        host.nameHost(state.hostname);
        return state;
    } catch (error) {
        throw new Error(
            `${host.label}: reading the live state failed (exit ${result.code}): ${(error as Error).message}${result.stderr.trim() ? `\n${result.stderr.trim().slice(-500)}` : ""}`,
            { cause: error },
        );
    }
}
