// SPDX-License-Identifier: MIT
// The provider's planner for offline review: what an update would do to a cell
// (create, update or replace, and why), from configs alone, with no host and
// no state. The same functions decide `pulumi preview`.
export { diffCellResource, resolveCellConfig, storeCellConfig, type CellResourceState } from "./resources/plan";
