// SPDX-License-Identifier: MIT
// The one import test/e2e/isolation.test.ts takes from here; the lab itself is
// examples/lab/tooling/lab.ts. Remove once that suite imports from there.
export type { LabHost } from "../../examples/lab/tooling/lab";
