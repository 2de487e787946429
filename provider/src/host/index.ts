// SPDX-License-Identifier: MIT
// Host access over SSH: the connection schema, pooled sessions that run
// commands and send files, and nothing about what the commands are for.
export * from "./connection";
export { fingerprintOf, knownHostKeys } from "./known-hosts";
export { closeAll, withHost } from "./pool";
export { type ExecOptions, type ExecResult, HostSession } from "./session";
export { shellQuote } from "./shell-quote";
export { SshError } from "./ssh-error";
