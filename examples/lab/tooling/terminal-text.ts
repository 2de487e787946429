// SPDX-License-Identifier: MIT
// What a cell's console printed, as text a person or a test can read.

// eslint-disable-next-line no-control-regex -- the escape character starts the sequences being dropped
const escapes = /\x1b(\[[0-9;?]*[A-Za-z]?)?/g;

/** A terminal's output as text: line editing's queries (also one still arriving, split over reads) and carriage returns dropped. */
export const terminalText = (raw: string) => raw.replace(escapes, "").replace(/\r/g, "");
