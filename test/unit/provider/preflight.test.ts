// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPreflight, preflight, PreflightFacts } from "../../../provider/src/resources/preflight";

const healthy: PreflightFacts = {
    dmesg: "[0.17] CPU: All CPU(s) started at EL2\n[0.91] kvm [1]: KVM disabled from command line\n",
    cmdline: "root=/dev/vda kvm-arm.mode=none mem=768M",
    onlineCpus: [0, 1, 2, 3],
    systemRam: [[0x40000000n, 0x70000000n]],
};
const desired = { rootCpus: [0, 1, 2, 3], hypervisorMemory: { start: 0x7f000000n, size: 0x1000000n } };

test("a lab-like host passes pre-flight", () => {
    assert.deepEqual(preflight(healthy, desired), []);
});

test("each pre-flight reason is recognised with its fix", () => {
    const cases: Array<[Partial<PreflightFacts>, Partial<typeof desired>, string, RegExp]> = [
        [{ dmesg: "[0.17] CPU: All CPU(s) started at EL1\n" }, {}, "no-el2", /not started at EL2.*fix: boot the host with EL2/],
        [
            { dmesg: "CPU: All CPU(s) started at EL2\nCPU features: detected: Virtualization Host Extensions\n" },
            {},
            "vhe",
            /runs at EL2 \(VHE\).*id_aa64mmfr1\.vh=0/,
        ],
        [
            { dmesg: "CPU: All CPU(s) started at EL2\nkvm [1]: Hyp mode initialized successfully\n" },
            {},
            "kvm",
            /KVM owns EL2.*kvm-arm\.mode=none/,
        ],
        [
            {},
            { hypervisorMemory: { start: 0x6f000000n, size: 0x2000000n } },
            "memory-overlap",
            /0x6f000000-0x70ffffff overlaps Linux RAM 0x40000000-0x6fffffff.*move the system config's hypervisor\.memory outside/,
        ],
        [{ onlineCpus: [0, 1, 2] }, {}, "cpu-mismatch", /root cell's CPUs \(0,1,2,3\) differ from the CPUs online \(0,1,2\)/],
    ];
    for (const [facts, want, reason, text] of cases) {
        const failures = preflight({ ...healthy, ...facts }, { ...desired, ...want });
        assert.deepEqual(
            failures.map((f) => f.reason),
            [reason],
        );
        assert.match(formatPreflight("h1", failures), text);
    }
});
