// SPDX-License-Identifier: MIT
// Little-endian byte cursors for the .cell codec. The reader's need() checks
// a count against the bytes present before anything is read, so a short file
// ends in a ConfigFormatError naming what is missing and where.

export class ConfigFormatError extends Error {
    constructor(
        message: string,
        readonly offset?: number,
    ) {
        super(offset === undefined ? message : `${message} (at byte offset ${offset})`);
        this.name = "ConfigFormatError";
    }
}

export class Writer {
    private bytes = new Uint8Array(1024);
    private view = new DataView(this.bytes.buffer);
    length = 0;

    private reserve(n: number): number {
        const at = this.length;
        if (at + n > this.bytes.length) {
            const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
            grown.set(this.bytes);
            this.bytes = grown;
            this.view = new DataView(grown.buffer);
        }
        this.length += n;
        return at;
    }
    // reserve() may replace the buffer and its view, so it must run before
    // either is read: `this.view.setUint8(this.reserve(1), v)` would write
    // into the old buffer once a file outgrows the first 1 KiB.
    u8(v: number) {
        const at = this.reserve(1);
        this.view.setUint8(at, v);
    }
    u16(v: number) {
        const at = this.reserve(2);
        this.view.setUint16(at, v, true);
    }
    u32(v: number) {
        const at = this.reserve(4);
        this.view.setUint32(at, v >>> 0, true);
    }
    u64(v: bigint) {
        const at = this.reserve(8);
        this.view.setBigUint64(at, v, true);
    }
    raw(data: Uint8Array) {
        const at = this.reserve(data.length);
        this.bytes.set(data, at);
    }
    zeros(n: number) {
        this.reserve(n);
    }
    result(): Buffer {
        return Buffer.from(this.bytes.subarray(0, this.length));
    }
}

export class Reader {
    private readonly view: DataView;
    offset = 0;

    constructor(readonly bytes: Uint8Array) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    need(n: number, what: string) {
        if (this.offset + n > this.bytes.length)
            throw new ConfigFormatError(
                `truncated: ${what} needs ${n} bytes but only ${this.bytes.length - this.offset} remain of ${this.bytes.length}`,
                this.offset,
            );
    }
    u8() {
        return this.view.getUint8(this.offset++);
    }
    u16() {
        const v = this.view.getUint16(this.offset, true);
        this.offset += 2;
        return v;
    }
    u32() {
        const v = this.view.getUint32(this.offset, true);
        this.offset += 4;
        return v;
    }
    u64() {
        const v = this.view.getBigUint64(this.offset, true);
        this.offset += 8;
        return v;
    }
    raw(n: number) {
        const v = this.bytes.subarray(this.offset, this.offset + n);
        this.offset += n;
        return v;
    }
}
