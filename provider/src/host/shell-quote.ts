// SPDX-License-Identifier: MIT
// Every command the provider sends goes through a POSIX shell on the host, so
// one quoting rule serves the transport and the resources alike.

/** Quotes a word for a POSIX shell; a word that needs no quotes is left bare, so logged commands stay readable. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
