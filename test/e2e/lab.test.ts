// SPDX-License-Identifier: MIT
// The booted lab: every host started its CPUs at EL2 with KVM kept off EL2,
// has 4 CPUs present, and presents its own SSH host key, the one the inventory pins.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { sshRun } from "../../examples/lab/tooling/lab";
import { labInventory } from "../support/lab-hosts";

test("each lab host starts all CPUs at EL2 and leaves EL2 free of KVM", async () => {
    const { hosts } = labInventory();
    assert.ok(hosts.length >= 2, `expected at least 2 lab hosts, found ${hosts.length}`);
    for (const host of hosts) {
        // The boot messages from the journal: other suites may have run first
        // and filled the kernel's ring buffer since boot.
        const dmesg = await sshRun(host, "{ journalctl -k -b -q --no-pager -o cat 2>/dev/null | head -n 3000; dmesg; }");
        assert.match(dmesg, /CPU: All CPU\(s\) started at EL2/, `${host.name}: CPUs not started at EL2`);
        assert.match(dmesg, /kvm \[\d+\]: KVM disabled from command line/, `${host.name}: KVM not disabled`);
        assert.doesNotMatch(dmesg, /Hyp mode initialized/);
        // Present, not online: a suite before this one may hold CPUs in cells.
        assert.equal((await sshRun(host, "cat /sys/devices/system/cpu/present")).trim(), "0-3");
        assert.equal((await sshRun(host, "hostname")).trim(), host.name);
    }
});

test("each lab host has its own host key, and the pinned fingerprint is the one served", () => {
    const { hosts } = labInventory();
    const fingerprints = new Set(hosts.map((h) => h.hostKeyFingerprint));
    assert.equal(fingerprints.size, hosts.length);
    for (const host of hosts) {
        const scanned = execFileSync("ssh-keyscan", ["-p", String(host.port), "-t", "ed25519", host.address], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        const served = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", "-"], { input: scanned, encoding: "utf8" });
        assert.equal(served.split(" ")[1], host.hostKeyFingerprint, `${host.name}: served key differs from the inventory`);
    }
});
