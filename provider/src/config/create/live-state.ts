// SPDX-License-Identifier: MIT
// What `create` reads from a host, as plain text: one file each, so a capture
// can be kept (test/vectors/live-h3/), reviewed and fed back with --from DIR.
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

/** The live-state parts and the file each is kept in. */
export const liveStateFiles = {
    hostname: "hostname.txt",
    cpusOnline: "cpus-online.txt",
    iomem: "iomem.txt",
    interrupts: "interrupts.txt",
    /** One line per property under /sys/firmware/devicetree/base: its path, a space, its bytes in hex. */
    devicetree: "devicetree.txt",
} as const;

export const LiveStateSchema = z.strictObject({
    hostname: z.string(),
    cpusOnline: z.string(),
    iomem: z.string(),
    interrupts: z.string(),
    devicetree: z.string(),
});
export type LiveState = z.output<typeof LiveStateSchema>;
export type LivePart = keyof LiveState;

/** A live state that cannot make a system config; the message names the part and the fix. */
export class LiveStateError extends Error {}

export function readLiveStateDir(dir: string): LiveState {
    const parts = Object.entries(liveStateFiles).map(([part, file]) => {
        const where = path.join(dir, file);
        if (!fs.existsSync(where))
            throw new LiveStateError(
                `${where} is missing; a live-state folder holds ${Object.values(liveStateFiles).join(", ")} (write one with create --ssh HOST --save-live DIR)`,
            );
        return [part, fs.readFileSync(where, "utf8")];
    });
    return LiveStateSchema.parse(Object.fromEntries(parts));
}

export function writeLiveStateDir(dir: string, state: LiveState): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const [part, file] of Object.entries(liveStateFiles)) fs.writeFileSync(path.join(dir, file), state[part as LivePart]);
}
