// SPDX-License-Identifier: MIT
// The one error type of the SSH transport. It carries whether trying again is
// safe, because only a failure before a command can have started may be retried.

export class SshError extends Error {
    constructor(
        message: string,
        /** True only when nothing can have run on the host and trying again may help. */
        readonly retryable: boolean,
    ) {
        super(message);
    }
}
