// SPDX-License-Identifier: MIT
// "FILE: " before a field's path, or nothing when the caller adds its own
// prefix (the provider's check() names the property itself).
export const within = (source: string) => (source ? `${source}: ` : "");
