// SPDX-License-Identifier: MIT
// pulumi-jailhouse: the Hypervisor and Cell resources, and the partition
// model they take (schemas, .cell codec, validation, diff).
export { Cell, type CellArgs, type CellImage } from "./resources/cell";
export { CellImageSchema } from "./resources/cell-image";
export { Hypervisor, type HypervisorArgs } from "./resources/hypervisor";
export type { HostConnectionInput } from "./host";
export * as config from "./config";
export * as plan from "./plan";
