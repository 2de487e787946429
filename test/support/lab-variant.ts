// SPDX-License-Identifier: MIT
// One more machine from the lab image, booted differently from the lab hosts
// (another CPU model, kernel options, or QEMU flags such as -icount), on a
// throw-away overlay disk and a free SSH port. It shares the lab host's seed,
// so it presents the same pinned host key and accepts the same client key.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { answersSsh, consoleTail, createDisk, type LabHost } from "../../examples/lab/tooling/lab";
import { labInventory } from "./lab-hosts";

export interface VariantBoot {
    name: string;
    /** Extra -M properties, e.g. "virtualization=on". */
    machine: string;
    cpu: string;
    /** Kernel command line options added to the lab's. */
    append: string;
    /** -accel value; the lab's is "tcg,thread=multi" (-icount needs single-threaded TCG). */
    accel?: string;
    extraQemuArgs?: string[];
}

export interface VariantMachine extends LabHost {
    stop(): void;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** Boots the variant next to `like` (a lab host) in `workDir` and waits for SSH. */
export async function bootVariant(like: LabHost, v: VariantBoot, workDir: string, timeoutMs = 900_000): Promise<VariantMachine> {
    const image = labInventory().image;
    const seed = path.join(path.dirname(like.consoleLog), "seed.tar");
    if (!fs.existsSync(seed)) throw new Error(`no lab seed disk at ${seed}; boot the lab first: npm run lab -- up 1`);
    const dir = path.join(workDir, `vm-${v.name}`);
    fs.mkdirSync(dir, { recursive: true });
    createDisk(image, dir);
    const port = await freePort();
    const knownHosts = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${like.hostPublicKey}\n`);
    const pidFile = path.join(dir, "qemu.pid");
    const vm: LabHost = {
        ...like,
        name: `${like.name}-${v.name}`,
        port,
        knownHostsPath: knownHosts,
        consoleLog: path.join(dir, "console.log"),
        pidFile,
    };
    execFileSync("qemu-system-aarch64", [
        "-M",
        `virt,${v.machine},gic-version=3,its=off`,
        "-cpu",
        v.cpu,
        "-smp",
        "4",
        "-m",
        "1G",
        "-accel",
        v.accel ?? "tcg,thread=multi",
        ...(v.extraQemuArgs ?? []),
        "-kernel",
        path.join(image, "vmlinuz"),
        "-initrd",
        path.join(image, "initrd.img"),
        "-append",
        `root=/dev/vda rw console=ttyAMA0 mem=768M ${v.append}`,
        "-drive",
        `if=none,id=root,file=${path.join(dir, "disk.qcow2")},format=qcow2`,
        "-device",
        "virtio-blk-pci,drive=root",
        "-drive",
        `if=none,id=seed,file=${seed},format=raw,readonly=on`,
        "-device",
        "virtio-blk-pci,drive=seed",
        "-netdev",
        `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`,
        "-device",
        "virtio-net-pci,netdev=net0",
        "-serial",
        `file:${vm.consoleLog}`,
        "-display",
        "none",
        "-daemonize",
        "-pidfile",
        pidFile,
    ]);
    const stop = () => {
        try {
            process.kill(Number(fs.readFileSync(pidFile, "utf8").trim()));
        } catch {
            // already gone
        }
    };
    const deadline = Date.now() + timeoutMs;
    while (!(await answersSsh(vm, 40_000))) {
        if (Date.now() > deadline) {
            stop();
            throw new Error(`${vm.name} did not answer SSH within ${timeoutMs / 1000} s:\n${consoleTail(vm)}`);
        }
        await new Promise((r) => setTimeout(r, 3000));
    }
    return { ...vm, stop };
}
