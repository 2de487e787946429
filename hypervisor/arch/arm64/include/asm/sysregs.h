/* SPDX-License-Identifier: MIT */
/* AArch64 system register fields used at EL2. */
#ifndef ASM_SYSREGS_H
#define ASM_SYSREGS_H

#ifdef __ASSEMBLY__
#define _U64(x) x
#else
#define _U64(x) x##ULL
#endif

/* HCR_EL2 */
#define HCR_VM (_U64(1) << 0)
#define HCR_FMO (_U64(1) << 3)
#define HCR_IMO (_U64(1) << 4)
#define HCR_AMO (_U64(1) << 5)
#define HCR_TSC (_U64(1) << 19)
#define HCR_TAC (_U64(1) << 21)
#define HCR_RW (_U64(1) << 31)

/* SCTLR_EL2 */
#define SCTLR_M (_U64(1) << 0)
#define SCTLR_A (_U64(1) << 1)
#define SCTLR_C (_U64(1) << 2)
#define SCTLR_SA (_U64(1) << 3)
#define SCTLR_I (_U64(1) << 12)
#define SCTLR_WXN (_U64(1) << 19)

/* MAIR_EL2: idx0 normal WB RA/WA, idx1 device nGnRE, idx2 normal NC */
#define MAIR_EL2_VALUE _U64(0x00000000004404ff)
#define ATTR_IDX_NORMAL 0
#define ATTR_IDX_DEVICE 1

/* TCR_EL2 (non-VHE): T0SZ=25 (39-bit VA, walk starts at level 1),
 * inner/outer WB-WA walks, inner shareable, 4 KiB granule, RES1 31/23.
 * PS is filled from ID_AA64MMFR0_EL1.PARange. */
#define TCR_EL2_T0SZ 25
#define TCR_EL2_BASE                                                           \
	((_U64(1) << 31) | (_U64(1) << 23) | (_U64(3) << 12) |                 \
	 (_U64(1) << 10) | (_U64(1) << 8) | TCR_EL2_T0SZ)
#define TCR_PS_SHIFT 16

/* VTCR_EL2: inner/outer WB-WA walks, inner shareable, 4 KiB granule */
#define VTCR_RES1 (_U64(1) << 31)
#define VTCR_PS_SHIFT 16
#define VTCR_PS_MASK 7
#define VTCR_SH0_INNER (_U64(3) << 12)
#define VTCR_ORGN0_WBWA (_U64(1) << 10)
#define VTCR_IRGN0_WBWA (_U64(1) << 8)
#define VTCR_SL0_SHIFT 6

/* VTTBR_EL2: the VMID above the stage-2 table's address */
#define VTTBR_VMID_SHIFT 48

/* HPFAR_EL2: the faulting IPA's page number, from bit 4 */
#define HPFAR_FIPA_SHIFT 4

/* ID_AA64MMFR0_EL1 */
#define ID_AA64MMFR0_PARANGE_MASK 0xf

/* CTR_EL0: log2 of the smallest D-cache line, in words */
#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK 0xf

/*
 * MPIDR_EL1: Aff3 in bits 39:32, Aff2.Aff1.Aff0 in 23:0; the bits between
 * (U, MT) do not name a CPU.
 */
#define MPIDR_CPUID_MASK _U64(0xff00ffffff)
#define MPIDR_AFF_MASK 0xff
#define MPIDR_AFF_SHIFT(level) ((level) == 3 ? 32 : (level)*8)
#define MPIDR_AFF(mpidr, level)                                                \
	(((mpidr) >> MPIDR_AFF_SHIFT(level)) & MPIDR_AFF_MASK)

/* ESR_EL2 */
#define ESR_EC_SHIFT 26
#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_WFx 0x01
#define ESR_EC_HVC64 0x16
#define ESR_EC_SMC64 0x17
#define ESR_EC_SYS64 0x18
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_IL (_U64(1) << 25)
#define ESR_ISS_MASK _U64(0x1ffffff)
#define ESR_ISS_HVC_IMM_MASK 0xffff /* the immediate of an HVC or SMC */

/* VBAR_EL1: where the vectors of an exception from each origin start */
#define VBAR_CURRENT_SP0 0x000
#define VBAR_CURRENT_SPX 0x200
#define VBAR_LOWER_A64 0x400

/* SPSR modes */
#define PSR_MODE_MASK 0xf
#define PSR_MODE_EL0t 0x0
#define PSR_MODE_EL1t 0x4
#define PSR_MODE_EL1h 0x5
#define PSR_DAIF (_U64(0xf) << 6)

/* Stub interface of Linux */
#define HVC_STUB_ERR _U64(0xbadca11)

#ifndef __ASSEMBLY__
#define read_sysreg(r)                                                         \
	({                                                                     \
		u64 __v;                                                       \
		asm volatile("mrs %0, " #r : "=r"(__v));                       \
		__v;                                                           \
	})
#define write_sysreg(v, r)                                                     \
	do {                                                                   \
		u64 __v = (u64)(v);                                            \
		asm volatile("msr " #r ", %0" : : "r"(__v));                   \
	} while (0)

/* Barriers and hints, each a compiler barrier too ("memory"). */
#define asm_barrier(insn) asm volatile(insn ::: "memory")
#define isb() asm_barrier("isb")
#define dsb_sy() asm_barrier("dsb sy")
#define dsb_ish() asm_barrier("dsb ish")
#define dsb_ishst() asm_barrier("dsb ishst")
#define wfi() asm_barrier("wfi")
#define cpu_relax() asm_barrier("yield")
#endif

#endif
