// SPDX-License-Identifier: MIT
// Child process of killedUp (stack.ts): opens the test stack and runs up,
// echoing the engine's output for the parent to watch.
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { openStack, type ProgramRef, type StackLocation } from "./stack";

async function main() {
    const { location, program } = JSON.parse(process.argv[2]) as { location: StackLocation; program: ProgramRef };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program module is named at run time
    const build = require(program.module)[program.exportName] as (...args: unknown[]) => PulumiFn;
    const stack = await openStack(location, build(...program.args));
    await stack.up({ onOutput: (line) => process.stdout.write(line) });
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
