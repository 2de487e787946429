// SPDX-License-Identifier: MIT
// Host access over SSH: connection schema, sessions, live state.
export * from "./connection";
export * from "./live-state";
export { closeAll, ExecOptions, ExecResult, fingerprintOf, HostSession, knownHostKeys, SshError, treeManifest, withHost } from "./session";
