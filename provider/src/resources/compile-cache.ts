// SPDX-License-Identifier: MIT
// The engine starts a new provider process for every deployment, and
// compiling this package and its dependencies takes about a tenth of a
// second of each start, before the first host is read. Node 22.1 and later
// can keep the compiled code on disk (in NODE_COMPILE_CACHE, else the
// system's temporary folder); older Node goes on without it.
import * as nodeModule from "node:module";

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
