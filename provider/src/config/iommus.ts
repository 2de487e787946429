// SPDX-License-Identifier: MIT
// The 12 vendor bytes of an IOMMU unit (a union in the .cell format): AMD's
// PCI function and capability offsets, or a TI PVU's TLB window. YAML names
// the fields; other unit types (Intel VT-d, SMMUv3, MMU-500) use none.
import { IOMMU_VENDOR_BYTES } from "./abi";
import { zeroHex } from "./layout";
import { formatHex } from "./units";

export interface AmdIommuFields {
    bdf: number;
    baseCap: number;
    msiCap: number;
    features: number;
}

export interface PvuFields {
    tlbBase: bigint;
    tlbSize: number;
}

export function amdVendorData(amd: AmdIommuFields): string {
    const bytes = Buffer.alloc(IOMMU_VENDOR_BYTES);
    bytes.writeUInt16LE(amd.bdf, 0);
    bytes.writeUInt8(amd.baseCap, 2);
    bytes.writeUInt8(amd.msiCap, 3);
    bytes.writeUInt32LE(amd.features, 4);
    return bytes.toString("hex");
}

export function pvuVendorData(pvu: PvuFields): string {
    const bytes = Buffer.alloc(IOMMU_VENDOR_BYTES);
    bytes.writeBigUInt64LE(pvu.tlbBase, 0);
    bytes.writeUInt32LE(pvu.tlbSize, 8);
    return bytes.toString("hex");
}

/** The YAML fields for a unit's vendor bytes: named where the type defines them and nothing is lost, raw hex otherwise. */
export function vendorFields(type: string | number, hex: string): Record<string, unknown> {
    const bytes = Buffer.from(hex, "hex");
    if (type === "amd" && bytes.readUInt32LE(8) === 0)
        return {
            amd: {
                bdf: formatHex(bytes.readUInt16LE(0)),
                baseCap: formatHex(bytes[2]),
                msiCap: formatHex(bytes[3]),
                features: formatHex(bytes.readUInt32LE(4)),
            },
        };
    if (type === "pvu") return { pvu: { tlbBase: formatHex(bytes.readBigUInt64LE(0)), tlbSize: formatHex(bytes.readUInt32LE(8)) } };
    return hex === zeroHex(IOMMU_VENDOR_BYTES) ? {} : { vendorData: hex };
}
