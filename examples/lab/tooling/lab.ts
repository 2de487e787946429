// SPDX-License-Identifier: MIT
// The lab: emulated ARM64 hosts (QEMU TCG, the real Debian arm64 kernel, real
// OpenSSH) booted from one cached base image, each with its own overlay disk,
// its own SSH host key and an SSH port forwarded on 127.0.0.1.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { inventoryPath, LabError, labDir, readInventoryFile } from "../inventory";
import { repoRoot } from "./workbench";

export { inventoryPath, LabError, labDir };
export { answersSsh, consoleTail, type LabHost, sshArgs, sshInteractive, sshRun } from "./lab-host";
import { answersSsh, consoleTail, type LabHost } from "./lab-host";

export const maxHosts = 8;

export interface Inventory {
    image: string;
    kernelAbi: string;
    hosts: LabHost[];
}

const hostsDir = () => path.join(labDir(), "hosts");
const clientKeyPath = () => path.join(labDir(), "id_lab");
const knownHostsPath = () => path.join(labDir(), "known_hosts");
const basePort = () => Number(process.env.PJ_LAB_BASE_PORT || 10022);
const bootTimeoutSeconds = () => Number(process.env.PJ_LAB_BOOT_TIMEOUT || 900);

export function hostName(index: number): string {
    return `h${index + 1}`;
}

export function readInventory(): Inventory {
    return readInventoryFile<Inventory>();
}

function writeInventory(inventory: Inventory): void {
    const file = inventoryPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(inventory, null, 2) + "\n");
    fs.renameSync(`${file}.tmp`, file);
    fs.writeFileSync(knownHostsPath(), inventory.hosts.map((h) => `[${h.address}]:${h.port} ${h.hostPublicKey}`).join("\n") + "\n");
}

export function parseHostCount(text: string | undefined): number {
    const count = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || count < 1 || count > maxHosts) {
        throw new LabError(
            `lab up: the host count must be a whole number from 1 to ${maxHosts}, got '${text ?? ""}'; for example: npm run lab -- up 2`,
        );
    }
    return count;
}

/** Runs one of the lab's cached build scripts; its last line of output is where the result is. */
function runBuildScript(name: string): string {
    const script = path.join(repoRoot, "examples", "lab", "tooling", name);
    const output = execFileSync("bash", [script], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    return output.trim().split("\n").pop()!;
}

/** Builds the base image if needed (cached by its inputs) and returns its folder. */
export const buildImage = () => runBuildScript("build-image.sh");

/** Builds the Linux cell's busybox initramfs if needed (cached by its inputs) and returns its path. */
export const buildInitramfs = () => runBuildScript("build-initramfs.sh");

/** The cached image, checked for presence and integrity, without building. */
export function existingImage(): { dir: string; kernelAbi: string } {
    const images = path.join(labDir(), "images");
    const candidates = fs.existsSync(images) ? fs.readdirSync(images).filter((d) => fs.existsSync(path.join(images, d, "complete"))) : [];
    if (candidates.length === 0) {
        throw new LabError(`lab up: no lab image in ${images}; build it first (about 8 min): npm run lab -- build`);
    }
    const dir = candidates.map((d) => path.join(images, d)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    for (const file of ["vmlinuz", "initrd.img", "base.qcow2", "kernel-abi"]) {
        if (!fs.existsSync(path.join(dir, file))) {
            throw new LabError(`lab up: the lab image in ${dir} lacks ${file}; remove ${dir} and run: npm run lab -- build`);
        }
    }
    try {
        execFileSync("qemu-img", ["check", "-q", "-f", "qcow2", path.join(dir, "base.qcow2")], { stdio: "pipe" });
    } catch (error) {
        const detail = String((error as { stderr?: Buffer }).stderr ?? "")
            .trim()
            .split("\n")[0];
        throw new LabError(`lab up: the lab image ${dir}/base.qcow2 is corrupt (${detail}); remove ${dir} and run: npm run lab -- build`);
    }
    return { dir, kernelAbi: fs.readFileSync(path.join(dir, "kernel-abi"), "utf8").trim() };
}

/** A machine's own disk in `dir` (disk.qcow2): a copy-on-write layer over the image's base.qcow2. */
export function createDisk(imageDir: string, dir: string): void {
    execFileSync("qemu-img", [
        "create",
        "-q",
        "-f",
        "qcow2",
        "-F",
        "qcow2",
        "-b",
        path.join(imageDir, "base.qcow2"),
        path.join(dir, "disk.qcow2"),
    ]);
}

function isRunning(pidFile: string): boolean {
    if (!fs.existsSync(pidFile)) return false;
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    try {
        process.kill(pid, 0);
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("qemu-system-aarch64");
    } catch {
        return false;
    }
}

function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
}

function ensureClientKey(): void {
    if (fs.existsSync(clientKeyPath())) return;
    fs.mkdirSync(labDir(), { recursive: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pulumi-jailhouse-lab", "-f", clientKeyPath()]);
}

/**
 * The host's identity: its own host key, the client's authorized key and the
 * hostname, packed as the seed disk. The host key is made once per host name
 * and kept in the cache, so a host keeps its key across `down` and `up` as a
 * real machine does across reboots, and stacks that pinned it still connect.
 */
function makeSeed(dir: string, name: string): { fingerprint: string; publicKey: string } {
    const seedRoot = path.join(dir, "seed");
    fs.rmSync(seedRoot, { recursive: true, force: true });
    fs.mkdirSync(path.join(seedRoot, "etc", "ssh"), { recursive: true });
    fs.mkdirSync(path.join(seedRoot, "root", ".ssh"), { recursive: true });
    const keptKey = path.join(labDir(), "host-keys", name, "ssh_host_ed25519_key");
    if (!fs.existsSync(keptKey) || !fs.existsSync(`${keptKey}.pub`)) {
        fs.mkdirSync(path.dirname(keptKey), { recursive: true });
        fs.rmSync(keptKey, { force: true });
        fs.rmSync(`${keptKey}.pub`, { force: true });
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `root@${name}`, "-f", keptKey]);
    }
    const hostKey = path.join(seedRoot, "etc", "ssh", "ssh_host_ed25519_key");
    fs.copyFileSync(keptKey, hostKey);
    fs.chmodSync(hostKey, 0o600);
    fs.copyFileSync(`${keptKey}.pub`, `${hostKey}.pub`);
    fs.copyFileSync(`${clientKeyPath()}.pub`, path.join(seedRoot, "root", ".ssh", "authorized_keys"));
    fs.writeFileSync(path.join(seedRoot, "etc", "hostname"), `${name}\n`);
    execFileSync("tar", ["-cf", path.join(dir, "seed.tar"), "--owner=0", "--group=0", "-C", seedRoot, "etc", "root"]);
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`], { encoding: "utf8" }).split(" ")[1];
    const publicKey = fs.readFileSync(`${hostKey}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
    return { fingerprint, publicKey };
}

/** Bump when qemuArgs() changes the machine: running hosts of an older one are rebooted. */
const machineRevision = 2;

function qemuArgs(image: string, dir: string, port: number): string[] {
    return [
        "-M",
        "virt,virtualization=on,gic-version=3,its=off",
        "-cpu",
        "cortex-a57",
        "-smp",
        "4",
        "-m",
        "1G",
        "-accel",
        "tcg,thread=multi",
        "-kernel",
        path.join(image, "vmlinuz"),
        "-initrd",
        path.join(image, "initrd.img"),
        // kvm-arm.mode=none leaves EL2 to the hyp stub; mem=768M keeps
        // 0x70000000-0x7fffffff out of Linux for the hypervisor and cells.
        "-append",
        "root=/dev/vda rw console=ttyAMA0 kvm-arm.mode=none mem=768M",
        "-drive",
        `if=none,id=root,file=${path.join(dir, "disk.qcow2")},format=qcow2`,
        "-device",
        "virtio-blk-pci,drive=root,disable-legacy=on",
        "-drive",
        `if=none,id=seed,file=${path.join(dir, "seed.tar")},format=raw,readonly=on`,
        "-device",
        "virtio-blk-pci,drive=seed,disable-legacy=on",
        "-netdev",
        `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`,
        "-device",
        "virtio-net-pci,netdev=net0,disable-legacy=on",
        "-chardev",
        `socket,id=serial0,path=${path.join(dir, "serial.sock")},server=on,wait=off,logfile=${path.join(dir, "console.log")}`,
        "-serial",
        "chardev:serial0",
        // A second UART for cells: QEMU 7.2's virt has one PL011 (Linux's
        // console), so a PCI 16550 stands in. Slot 4's INTA is SPI 3 and
        // shared with no other device; the virtio devices above drop their
        // legacy I/O BARs so the 16550's is the only one in the I/O window.
        "-chardev",
        `socket,id=celluart,path=${path.join(dir, "cell-uart.sock")},server=on,wait=off,logfile=${path.join(dir, "cell-uart.log")}`,
        "-device",
        "pci-serial,chardev=celluart,addr=0x4",
        "-monitor",
        `unix:${path.join(dir, "monitor.sock")},server=on,wait=off`,
        "-display",
        "none",
        "-daemonize",
        "-pidfile",
        path.join(dir, "qemu.pid"),
    ];
}

async function waitForSsh(host: LabHost, log: (line: string) => void): Promise<void> {
    const started = Date.now();
    const deadline = started + bootTimeoutSeconds() * 1000;
    while (Date.now() < deadline) {
        if (!isRunning(host.pidFile)) {
            throw new LabError(`lab up: ${host.name}'s QEMU exited during boot; last console lines:\n${consoleTail(host, 15)}`);
        }
        if (await answersSsh(host)) {
            log(`${host.name}: SSH up on 127.0.0.1:${host.port} after ${Math.round((Date.now() - started) / 1000)} s`);
            return;
        }
        await new Promise((r) => setTimeout(r, 3000));
    }
    throw new LabError(
        `lab up: ${host.name} did not answer SSH on 127.0.0.1:${host.port} within ${bootTimeoutSeconds()} s; ` +
            `see ${host.consoleLog} or raise PJ_LAB_BOOT_TIMEOUT; last console lines:\n${consoleTail(host, 15)}`,
    );
}

/**
 * Links the files a Linux cell boots (the kernel the hosts boot and the
 * busybox initramfs) under lab/linux-cell/, where the default program's fleet
 * file finds them as lab:linux-cell/vmlinuz and lab:linux-cell/initramfs.cpio.gz.
 */
export function linkLinuxCellFiles(imageDir: string): string {
    const dir = path.join(labDir(), "linux-cell");
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, target] of [
        ["vmlinuz", path.join(imageDir, "vmlinuz")],
        ["initramfs.cpio.gz", buildInitramfs()],
    ]) {
        // Made aside and renamed over: another lab command may be linking too.
        const link = path.join(dir, name);
        const fresh = `${link}.${process.pid}`;
        fs.rmSync(fresh, { force: true });
        fs.symlinkSync(target, fresh);
        fs.renameSync(fresh, link);
    }
    return dir;
}

/**
 * Boots hosts h1..hN; hosts already running the same image and machine are
 * kept as they are. The Linux cell's files are linked once the hosts answer,
 * so a boot that fails says why without building the initramfs first.
 */
export async function up(count: number, log: (line: string) => void = console.error): Promise<Inventory> {
    const image = existingImage();
    ensureClientKey();
    const previous = fs.existsSync(inventoryPath()) ? readInventory() : undefined;
    const hosts: LabHost[] = [];
    const booting: LabHost[] = [];
    for (let i = 0; i < count; i++) {
        const name = hostName(i);
        const dir = path.join(hostsDir(), name);
        const known = previous?.hosts.find((h) => h.name === name);
        if (known && isRunning(known.pidFile) && previous?.image === image.dir && known.machine === machineRevision) {
            hosts.push(known);
            continue;
        }
        const port = basePort() + i;
        if (!(await portIsFree(port))) {
            throw new LabError(
                `lab up: port ${port} for ${name} on 127.0.0.1 is already in use by another program; stop it or choose other ports with PJ_LAB_BASE_PORT=20022`,
            );
        }
        if (known && isRunning(known.pidFile)) stopHost(known);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        createDisk(image.dir, dir);
        const identity = makeSeed(dir, name);
        const host: LabHost = {
            name,
            address: "127.0.0.1",
            port,
            user: "root",
            keyPath: clientKeyPath(),
            hostKeyFingerprint: identity.fingerprint,
            hostPublicKey: identity.publicKey,
            knownHostsPath: knownHostsPath(),
            consoleLog: path.join(dir, "console.log"),
            cellUartSocket: path.join(dir, "cell-uart.sock"),
            cellUartLog: path.join(dir, "cell-uart.log"),
            pidFile: path.join(dir, "qemu.pid"),
            machine: machineRevision,
        };
        try {
            execFileSync("qemu-system-aarch64", qemuArgs(image.dir, dir, port), { stdio: "pipe" });
        } catch (error) {
            const detail = String((error as { stderr?: Buffer }).stderr ?? "").trim();
            throw new LabError(`lab up: QEMU refused to start ${name}: ${detail}`);
        }
        log(`${name}: booting (QEMU pid ${fs.readFileSync(host.pidFile, "utf8").trim()}, console ${host.consoleLog})`);
        hosts.push(host);
        booting.push(host);
    }
    const others = (previous?.hosts ?? []).filter((h) => !hosts.some((k) => k.name === h.name) && isRunning(h.pidFile));
    const inventory: Inventory = { image: image.dir, kernelAbi: image.kernelAbi, hosts: [...hosts, ...others] };
    writeInventory(inventory);
    await Promise.all(booting.map((h) => waitForSsh(h, log)));
    linkLinuxCellFiles(image.dir);
    return inventory;
}

function stopHost(host: LabHost): void {
    if (!isRunning(host.pidFile)) return;
    const pid = Number(fs.readFileSync(host.pidFile, "utf8").trim());
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && isRunning(host.pidFile); i++) execFileSync("sleep", ["0.1"]);
    if (isRunning(host.pidFile)) process.kill(pid, "SIGKILL");
}

export function down(log: (line: string) => void = console.error): void {
    if (!fs.existsSync(inventoryPath())) return;
    for (const host of readInventory().hosts) {
        stopHost(host);
        log(`${host.name}: stopped`);
    }
    fs.rmSync(inventoryPath(), { force: true });
}

export interface HostStatus extends LabHost {
    running: boolean;
}

export function status(): { inventory: string; hosts: HostStatus[] } {
    const hosts = fs.existsSync(inventoryPath()) ? readInventory().hosts : [];
    return { inventory: inventoryPath(), hosts: hosts.map((h) => ({ ...h, running: isRunning(h.pidFile) })) };
}

export function findHost(name: string): LabHost {
    const host = readInventory().hosts.find((h) => h.name === name);
    if (!host) {
        const names =
            readInventory()
                .hosts.map((h) => h.name)
                .join(", ") || "none";
        throw new LabError(`lab: no host named '${name}' in the lab (hosts: ${names})`);
    }
    return host;
}
