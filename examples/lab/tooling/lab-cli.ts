// SPDX-License-Identifier: MIT
// `npm run lab -- <verb>`: build the image, boot, inspect, reach and stop the
// emulated ARM64 lab hosts.
import { attachConsole } from "./cell-console";
import { buildImage, buildInitramfs, down, findHost, LabError, parseHostCount, sshInteractive, status, up } from "./lab";

const usage = `usage: npm run lab -- <verb>
  build              build (or find cached) the Debian arm64 lab image
  initramfs          build (or find cached) the Linux cell's busybox initramfs
  up N               boot hosts h1..hN (1-8) and wait until SSH answers
  status [--json]    list the hosts; --json includes the inventory path
  ssh NAME [CMD...]  open a shell on a host or run a command there
  cell-console NAME  type on the UART a cell owns on host NAME (its PCI 16550);
                     Ctrl-] detaches
  down               stop every lab host`;

async function main(argv: string[]): Promise<number> {
    const [verb, ...rest] = argv;
    switch (verb) {
        case "build":
            console.log(buildImage());
            return 0;
        case "up": {
            const count = parseHostCount(rest[0]);
            const inventory = await up(count);
            for (const h of inventory.hosts) console.log(`${h.name}\t127.0.0.1:${h.port}\t${h.hostKeyFingerprint}`);
            return 0;
        }
        case "status": {
            const report = status();
            if (rest.includes("--json")) {
                console.log(JSON.stringify(report, null, 2));
            } else {
                console.log(`inventory: ${report.inventory}`);
                if (report.hosts.length === 0) console.log("no lab hosts");
                for (const h of report.hosts) {
                    console.log(
                        `${h.name}\t${h.running ? "running" : "stopped"}\tssh -p ${h.port} ${h.user}@${h.address}\tconsole ${h.consoleLog}`,
                    );
                }
            }
            return 0;
        }
        case "ssh": {
            if (!rest[0]) throw new LabError("lab ssh: name a host, for example: npm run lab -- ssh h1 dmesg");
            return sshInteractive(findHost(rest[0]), rest.slice(1));
        }
        case "initramfs":
            console.log(buildInitramfs());
            return 0;
        case "cell-console": {
            if (!rest[0]) throw new LabError("lab cell-console: name a host, for example: npm run lab -- cell-console h1");
            const host = findHost(rest[0]);
            return attachConsole(host.cellUartSocket, host.name);
        }
        case "down":
            down();
            return 0;
        default:
            console.error(verb ? `lab: unknown verb '${verb}'\n${usage}` : usage);
            return 2;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof LabError ? error.message : error);
        process.exit(error instanceof LabError ? 1 : 70);
    },
);
