// SPDX-License-Identifier: MIT
// Address ranges as [start, end): overlap, subtraction and page rounding.
import { formatHex } from "../units";

export interface Span {
    start: bigint;
    /** One past the last byte. */
    end: bigint;
}

export const PAGE = 0x1000n;

export const overlap = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

export const pageRounded = (span: Span): Span => ({ start: span.start & ~(PAGE - 1n), end: (span.end + PAGE - 1n) & ~(PAGE - 1n) });

/** `span` with every part that one of `holes` covers cut out. */
export function subtract<T extends Span>(span: T, holes: readonly Span[]): T[] {
    let pieces: T[] = [span];
    for (const hole of holes)
        pieces = pieces.flatMap((piece) => {
            if (!overlap(piece, hole)) return [piece];
            const kept: T[] = [];
            if (piece.start < hole.start) kept.push({ ...piece, end: hole.start });
            if (hole.end < piece.end) kept.push({ ...piece, start: hole.end });
            return kept;
        });
    return pieces;
}

export const describeSpan = (span: Span) => `${formatHex(span.start)}-${formatHex(span.end - 1n)}`;
