// SPDX-License-Identifier: MIT
// The partition model: schemas, .cell codec, validation and diff.
export * from "./abi";
export type * from "./binary";
export { sizes } from "./binary";
export * from "./codec";
export * from "./compile";
export * from "./decompile";
export * from "./diff";
export * from "./load";
export * from "./json-schema";
export * from "./schema";
export * from "./shutdown";
export * from "./units";
export * from "./validate";
export { type CreatedSystem, type CreateOptions, systemFromLiveState } from "./create/system-from-live";
export { type LiveState, LiveStateError, LiveStateSchema, liveStateFiles, readLiveStateDir } from "./create/live-state";
