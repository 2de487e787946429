// SPDX-License-Identifier: MIT
// The implementation behind the Hypervisor and Cell shims (shim.ts). It is
// require()d at call time inside the dynamic-provider process, so module
// state here (the SSH pool and per-host locks of ../host) is shared by every
// resource of one deployment. Decisions live in plan.ts; this file does the
// SSH around them and logs each step per host.
import "./compile-cache";
import { cellProvider } from "./cell-provider";
import { hypervisorProvider } from "./hypervisor-provider";

export const providers = { hypervisor: hypervisorProvider, cell: cellProvider };
