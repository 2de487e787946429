// SPDX-License-Identifier: MIT
// parseHostConnection: defaults, and errors that name the field, the value and
// the fix without ever showing a secret. knownHostKeys: which known_hosts
// lines pin which host.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HostConnectionError, parseHostConnection } from "../../provider/src/host/connection";
import { knownHostKeys } from "../../provider/src/host/known-hosts";

const fingerprint = `SHA256:${"A".repeat(43)}`;
const secretKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----";
const secretPassword = "hunter2-very-secret";
const valid = { host: "10.0.0.5", privateKey: secretKey, hostKey: { fingerprint } };

/** The message parseHostConnection throws for `input`; fails the test when it does not throw. */
function errorFor(input: unknown): string {
    try {
        parseHostConnection(input);
    } catch (error) {
        assert.ok(error instanceof HostConnectionError, `a HostConnectionError, got ${String(error)}`);
        return error.message;
    }
    assert.fail(`parseHostConnection accepted ${JSON.stringify(input)}`);
}

describe("parseHostConnection", () => {
    test("fills the defaults", () => {
        const c = parseHostConnection(valid);
        assert.equal(c.port, 22);
        assert.equal(c.user, "root");
        assert.equal(c.connectTimeoutMs, 30_000);
        assert.equal(c.commandTimeoutMs, 600_000);
        assert.equal(c.retries, 3);
        assert.equal(c.retryBackoffMs, 500);
        assert.deepEqual(c.hostKey, { fingerprint });
    });

    test("each wrong field is named with its value and the fix", () => {
        const cases: Array<[unknown, RegExp]> = [
            [{ ...valid, port: "22x" }, /^connection\.port = "22x": give the SSH port as a number from 1 to 65535 \(usually 22\)$/],
            [{ ...valid, port: 70000 }, /^connection\.port = 70000: give the SSH port as a number from 1 to 65535/],
            [{ ...valid, host: "" }, /^connection\.host = "": give the host name or IP address, e.g\. host: "10\.0\.0\.5"$/],
            [{ ...valid, retries: -1 }, /^connection\.retries = -1: give a number of extra attempts from 0 to 10$/],
            [{ ...valid, connectTimeoutMs: 1.5 }, /^connection\.connectTimeoutMs = 1\.5: give whole milliseconds, e\.g\. 30000$/],
            [
                { ...valid, hostKey: { fingerprint: "MD5:12:34" } },
                /^connection\.hostKey\.fingerprint = "MD5:12:34": must look like SHA256:<43 base64 characters>, as ssh-keygen -lf prints it$/,
            ],
            [{ ...valid, agent: 3 }, /^connection\.agent = 3: true to use \$SSH_AUTH_SOCK, or the path of an agent socket$/],
            [
                { ...valid, jump: { host: "bastion", hostKey: { trustOnFirstUse: true } } },
                /^connection\.jump: give one way to log in: privateKey .*, privateKeyPath, password or agent$/,
            ],
            [
                "root@10.0.0.5",
                /^connection = \(a string\): give the connection as an object: \{ host, user, hostKey, privateKey \| privateKeyPath \| password \| agent \}$/,
            ],
        ];
        for (const [input, expected] of cases) assert.match(errorFor(input), expected);
    });

    test("a host key pin is required; trust on first use only when asked for", () => {
        const missing = errorFor({ host: "h", privateKey: secretKey });
        assert.match(
            missing,
            /^connection\.hostKey is missing: pin the host key: hostKey: \{ fingerprint: "SHA256:\.\.\." \} \(ssh-keygen -lf .*\), .*\{ knownHostsPath: .*\{ trustOnFirstUse: true \}/,
        );
        assert.match(errorFor({ host: "h", privateKey: secretKey, hostKey: {} }), /^connection\.hostKey: pin the host key/);
        assert.match(
            errorFor({ host: "h", privateKey: secretKey, hostKey: { trustOnFirstUse: false } }),
            /^connection\.hostKey: pin the host key/,
        );
        assert.deepEqual(parseHostConnection({ host: "h", privateKey: secretKey, hostKey: { trustOnFirstUse: true } }).hostKey, {
            trustOnFirstUse: true,
        });
        assert.deepEqual(
            parseHostConnection({ host: "h", privateKey: secretKey, hostKey: { knownHostsPath: "/root/.ssh/known_hosts" } }).hostKey,
            { knownHostsPath: "/root/.ssh/known_hosts" },
        );
    });

    test("no way to log in is named with the ways there are", () => {
        assert.match(
            errorFor({ host: "h", hostKey: { fingerprint } }),
            /^connection: give one way to log in: privateKey \(the key's text, as a secret\), privateKeyPath, password or agent$/,
        );
    });

    test("several problems give one line each", () => {
        const lines = errorFor({ host: "h", port: 0, privateKey: secretKey, hostKey: { fingerprint: "x" } }).split("\n");
        assert.equal(lines.length, 2, lines.join("\n"));
        assert.match(lines[0], /^connection\.port = 0:/);
        assert.match(lines[1], /^connection\.hostKey\.fingerprint = "x":/);
    });

    test("secrets never appear in an error, wherever they are", () => {
        const cases: unknown[] = [
            // A misspelt field is named, but its value (a key, here) is not shown.
            { ...valid, privatekey: secretKey },
            { ...valid, passwd: secretPassword },
            // A secret in a field of the wrong type.
            { ...valid, password: 12345678901 },
            { ...valid, privateKey: { text: secretKey } },
            { ...valid, passphrase: ["a", secretPassword] },
            // Errors on the object that holds the secrets.
            { ...valid, password: secretPassword, hostKey: {} },
            { ...valid, password: secretPassword, extra: 1 },
            {
                host: "h",
                password: secretPassword,
                hostKey: { fingerprint },
                jump: { host: "b", password: secretPassword, privateKey: secretKey, port: "x", hostKey: {}, typo: 1 },
            },
            { host: "h", password: secretPassword, hostKey: { fingerprint }, jump: secretKey },
        ];
        for (const input of cases) {
            const message = errorFor(input);
            for (const secret of [secretKey, "TOP-SECRET-KEY-MATERIAL", secretPassword, "12345678901"]) {
                assert.ok(!message.includes(secret), `the error shows a secret:\n${message}`);
            }
        }
        assert.match(
            errorFor({ ...valid, privatekey: secretKey }),
            /^connection\.privatekey: unknown field; remove it or correct its spelling$/,
        );
        assert.match(
            errorFor({ ...valid, password: 12345678901 }),
            /^connection\.password = \(a number\): give the password as a string \(a Pulumi secret\)$/,
        );
        assert.match(
            errorFor({
                host: "h",
                password: secretPassword,
                hostKey: { fingerprint },
                jump: { host: "b", password: secretPassword, port: "x", hostKey: { fingerprint }, typo: 1 },
            }),
            /connection\.jump\.port = "x": .*\nconnection\.jump\.typo: unknown field/,
        );
    });
});

describe("knownHostKeys", () => {
    const keyA = Buffer.from("key-a").toString("base64");
    const keyB = Buffer.from("key-b").toString("base64");
    const names = (r: { accepted: Buffer[]; revoked: Buffer[] }) => ({ accepted: r.accepted.map(String), revoked: r.revoked.map(String) });

    test("port 22 entries use the bare name, other ports [host]:port", () => {
        const text = `10.0.0.5 ssh-ed25519 ${keyA}\n[10.0.0.5]:2222 ssh-ed25519 ${keyB} comment here\n`;
        assert.deepEqual(names(knownHostKeys(text, "10.0.0.5", 22)), { accepted: ["key-a"], revoked: [] });
        assert.deepEqual(names(knownHostKeys(text, "10.0.0.5", 2222)), { accepted: ["key-b"], revoked: [] });
        assert.deepEqual(names(knownHostKeys(text, "10.0.0.6", 22)), { accepted: [], revoked: [] });
    });

    test("patterns: lists, wildcards, negation, comments and markers", () => {
        const text = [
            "# a comment line ssh-ed25519 AAAA",
            `web1,web2 ssh-ed25519 ${keyA}`,
            `*.lab,!secret.lab ssh-ed25519 ${keyB}`,
            `@revoked h?.lab ssh-ed25519 ${keyA}`,
            `@cert-authority *.lab ssh-ed25519 ${keyA}`,
        ].join("\n");
        assert.deepEqual(names(knownHostKeys(text, "web2", 22)), { accepted: ["key-a"], revoked: [] });
        assert.deepEqual(names(knownHostKeys(text, "h1.lab", 22)), { accepted: ["key-b"], revoked: ["key-a"] });
        assert.deepEqual(names(knownHostKeys(text, "secret.lab", 22)), { accepted: [], revoked: [] });
        assert.deepEqual(names(knownHostKeys(text, "ab.lab", 22)), { accepted: ["key-b"], revoked: [] });
    });
});
