// SPDX-License-Identifier: MIT
// The package's root folder (where package.json, hypervisor/ and kmod/ are),
// found from the compiled file's place: dist/provider/src/ in a checkout and
// in an installed package alike.
import * as path from "node:path";

export const packageRoot = path.resolve(__dirname, "..", "..", "..");
