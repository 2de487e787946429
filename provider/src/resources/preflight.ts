// SPDX-License-Identifier: MIT
// Pre-flight checks on a host's live state, before anything is deployed: the
// reasons Jailhouse-style enable fails, said in words with the fix.

export interface PreflightFacts {
    /** Lines of the kernel log that tell who owns EL2. */
    dmesg: string;
    /** /proc/cmdline */
    cmdline: string;
    /** Online CPUs, as the kernel lists them ("0-3"). */
    onlineCpus: number[];
    /** Physical ranges of Linux RAM ("System RAM" in /proc/iomem), [start, end) */
    systemRam: Array<[bigint, bigint]>;
}

export interface PreflightDesired {
    rootCpus: number[];
    hypervisorMemory: { start: bigint; size: bigint };
}

export interface PreflightFailure {
    reason: "no-el2" | "vhe" | "kvm" | "memory-overlap" | "cpu-mismatch";
    message: string;
    fix: string;
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

export function preflight(facts: PreflightFacts, desired: PreflightDesired): PreflightFailure[] {
    const failures: PreflightFailure[] = [];
    const startedAtEl2 = /CPU: All CPU\(s\) started at EL2/.test(facts.dmesg);
    if (/VHE mode|CPU features: detected: Virtualization Host Extensions/.test(facts.dmesg)) {
        failures.push({
            reason: "vhe",
            message: "Linux itself runs at EL2 (VHE), so there is no EL2 left for the hypervisor",
            fix: "boot a non-VHE kernel configuration: add id_aa64mmfr1.vh=0 to the kernel command line",
        });
    } else if (!startedAtEl2) {
        failures.push({
            reason: "no-el2",
            message: "the CPUs were not started at EL2 (the kernel log lacks 'CPU: All CPU(s) started at EL2')",
            fix: "boot the host with EL2 available to Linux (firmware must enter the kernel at EL2; on QEMU use -M virt,virtualization=on)",
        });
    }
    if (/kvm \[\d+\]: (Hyp|VHE) mode initialized successfully|kvm \[\d+\]: Protected nVHE mode initialized/.test(facts.dmesg)) {
        failures.push({
            reason: "kvm",
            message: "KVM owns EL2 on this host",
            fix: "add kvm-arm.mode=none to the kernel command line and reboot",
        });
    }
    const { start, size } = desired.hypervisorMemory;
    const end = start + size;
    for (const [ramStart, ramEnd] of facts.systemRam) {
        if (start < ramEnd && ramStart < end) {
            failures.push({
                reason: "memory-overlap",
                message: `hypervisor memory ${hex(start)}-${hex(end - 1n)} overlaps Linux RAM ${hex(ramStart)}-${hex(ramEnd - 1n)}`,
                fix: "keep that range from Linux (mem= on the kernel command line or a reserved-memory node), or move the system config's hypervisor.memory outside Linux RAM",
            });
            break;
        }
    }
    const online = [...facts.onlineCpus].sort((a, b) => a - b).join(",");
    const root = [...desired.rootCpus].sort((a, b) => a - b).join(",");
    if (online !== root) {
        failures.push({
            reason: "cpu-mismatch",
            message: `the root cell's CPUs (${root}) differ from the CPUs online (${online})`,
            fix: "list exactly the online CPUs in the root cell's cpus, or bring the missing CPUs online",
        });
    }
    return failures;
}

export function formatPreflight(host: string, failures: PreflightFailure[]): string {
    return [`${host}: pre-flight failed, nothing was changed on the host:`, ...failures.map((f) => `  - ${f.message}; fix: ${f.fix}`)].join(
        "\n",
    );
}
