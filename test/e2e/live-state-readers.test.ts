// SPDX-License-Identifier: MIT
// End to end on a lab host: the native reader (`jailhouse state --json`,
// built from this checkout) and the shell reader give the same live state;
// the default read uses the native one when the CLI has it and falls back
// to the shell one in the same round trip; file hashes come from the cache
// while the file is unchanged and are taken again once it changes.
//
// Host: PJ_HV_HOST (else the first inventory host). Read only, apart from
// the CLI's build folder and the scratch files under it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAll, withHost } from "../../provider/src/host";
import { type ReadOptions, readerCommand, readLiveState } from "../../provider/src/resources/live-state";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { pickHost, run } from "../support/lab-shell";
import { buildNativeCli, nativeCliDir } from "../support/native-cli";

describe("live-state readers on a lab host", { timeout: 30 * 60_000 }, () => {
    let host: LabHost;
    let cli: string;
    const connection = () => ({
        host: host.address,
        port: host.port,
        user: host.user,
        privateKeyPath: host.keyPath,
        hostKey: { fingerprint: host.hostKeyFingerprint },
    });
    const read = (options: ReadOptions) => withHost(connection(), (s) => readLiveState(s, options));

    before(async () => {
        host = pickHost();
        cli = await buildNativeCli(host);
    });
    after(() => closeAll());

    for (const bootLog of [false, true]) {
        test(`both readers give the same state (boot log ${bootLog ? "read" : "skipped"})`, async () => {
            const shell = await read({ reader: "shell", bootLog });
            const native = await read({ reader: "native", cli, bootLog });
            assert.deepEqual(native, shell);
            assert.equal(native.hostname, host.name);
            assert.equal(native.bootLog === undefined, !bootLog);
            if (bootLog) assert.match(native.bootLog ?? "", /started at EL2/, "the lab boots Linux at EL2; the boot log says so");
        });
    }

    test("the default read takes the native reader when the CLI has it, else the shell reader, in one round trip", async () => {
        await withHost(connection(), async (s) => {
            const before = s.roundTrips;
            const withNative = await s.exec(readerCommand({ cli }));
            assert.match(withNative.stdout, /^\{"format":1,/);
            const without = await s.exec(readerCommand({ cli: `${nativeCliDir}/no-such-cli` }));
            assert.match(without.stdout, /^livestate=1\n/);
            assert.equal(s.roundTrips - before, 2);
        });
        assert.deepEqual(await read({ cli }), await read({ cli: `${nativeCliDir}/no-such-cli` }));
    });

    test("a file's hash comes from the cache while the file is unchanged, and is taken again once it changes", async () => {
        const file = `${nativeCliDir}/blob`;
        const cache = `${nativeCliDir}/hash-cache`;
        const hashOf = async () =>
            (
                JSON.parse(await run(host, `${cli} state --json --cache ${cache} --hash ${file}`)) as {
                    hashes: Record<string, string | null>;
                }
            ).hashes[file];
        await run(host, `rm -f ${cache}; head -c 300000 /dev/urandom > ${file}`);
        const real = (await run(host, `sha256sum ${file}`)).slice(0, 64);
        assert.equal(await hashOf(), real);
        assert.match(await run(host, `cat ${cache}`), new RegExp(`^${real} 300000 \\d+ \\d+ \\d+ ${file}$`, "m"));

        // A planted value in the cache is what comes back: the file was not read again.
        const planted = "0".repeat(64);
        await run(host, `sed -i 's/^${real}/${planted}/' ${cache}`);
        assert.equal(await hashOf(), planted);

        // Same size, new contents: the identity changed, so the hash is taken again.
        await run(host, `head -c 300000 /dev/urandom > ${file}`);
        const changed = (await run(host, `sha256sum ${file}`)).slice(0, 64);
        assert.equal(await hashOf(), changed);
        assert.equal(
            await (async () =>
                (
                    JSON.parse(await run(host, `${cli} state --json --cache ${cache} --hash ${nativeCliDir}/none`)) as {
                        hashes: Record<string, null>;
                    }
                ).hashes[`${nativeCliDir}/none`])(),
            null,
        );
    });
});
