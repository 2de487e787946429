// SPDX-License-Identifier: MIT
// The partition model: schemas, .cell codec, validation and diff.
export * from "./abi";
export type * from "./binary";
export * from "./codec";
export * from "./compile";
export * from "./diff";
export * from "./load";
export * from "./schema";
export * from "./units";
export * from "./validate";
