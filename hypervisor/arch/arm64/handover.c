/* SPDX-License-Identifier: MIT */
/*
 * A CPU changing hands. Whatever one owner left in the EL1 and EL0 state of
 * a CPU the next one could read: Linux's vector base, page tables, per-CPU
 * offset and current task (its KASLR layout), a cell's secrets in the
 * FP/SIMD registers, an armed physical timer that would fire into the next
 * owner, running PMU counters and watchpoints. PSCI gives every CPU_ON a
 * CPU in a defined state anyway, so the whole set is reset on every wake,
 * not only when the owner changes.
 */
#include <asm/psci.h>
#include <asm/sysregs.h>
#include <hv/types.h>

#define CPTR_EL2_TFP (1ULL << 10)
/* PMCR_EL0: E off, P and C reset the event and cycle counters. */
#define PMCR_RESET_COUNTERS 0x6ULL
#define ID_AA64DFR0_BRPS(v) ((((v) >> 12) & 0xf) + 1)
#define ID_AA64DFR0_WRPS(v) ((((v) >> 20) & 0xf) + 1)

#define DBG_CLEAR(kind, n)                                                     \
	case n:                                                                \
		write_sysreg(0, dbg##kind##cr##n##_el1);                       \
		write_sysreg(0, dbg##kind##vr##n##_el1);                       \
		break

static void breakpoint_clear(unsigned int n)
{
	switch (n) {
		DBG_CLEAR(b, 0);
		DBG_CLEAR(b, 1);
		DBG_CLEAR(b, 2);
		DBG_CLEAR(b, 3);
		DBG_CLEAR(b, 4);
		DBG_CLEAR(b, 5);
		DBG_CLEAR(b, 6);
		DBG_CLEAR(b, 7);
		DBG_CLEAR(b, 8);
		DBG_CLEAR(b, 9);
		DBG_CLEAR(b, 10);
		DBG_CLEAR(b, 11);
		DBG_CLEAR(b, 12);
		DBG_CLEAR(b, 13);
		DBG_CLEAR(b, 14);
		DBG_CLEAR(b, 15);
	}
}

static void watchpoint_clear(unsigned int n)
{
	switch (n) {
		DBG_CLEAR(w, 0);
		DBG_CLEAR(w, 1);
		DBG_CLEAR(w, 2);
		DBG_CLEAR(w, 3);
		DBG_CLEAR(w, 4);
		DBG_CLEAR(w, 5);
		DBG_CLEAR(w, 6);
		DBG_CLEAR(w, 7);
		DBG_CLEAR(w, 8);
		DBG_CLEAR(w, 9);
		DBG_CLEAR(w, 10);
		DBG_CLEAR(w, 11);
		DBG_CLEAR(w, 12);
		DBG_CLEAR(w, 13);
		DBG_CLEAR(w, 14);
		DBG_CLEAR(w, 15);
	}
}

/* The compiler may not touch FP/SIMD here (-mgeneral-regs-only). */
static void fpsimd_clear(void)
{
	write_sysreg(read_sysreg(cptr_el2) & ~CPTR_EL2_TFP, cptr_el2);
	isb();
	asm volatile(".arch_extension fp\n"
		     ".arch_extension simd\n"
		     "movi v0.2d, #0\n movi v1.2d, #0\n movi v2.2d, #0\n"
		     "movi v3.2d, #0\n movi v4.2d, #0\n movi v5.2d, #0\n"
		     "movi v6.2d, #0\n movi v7.2d, #0\n movi v8.2d, #0\n"
		     "movi v9.2d, #0\n movi v10.2d, #0\n movi v11.2d, #0\n"
		     "movi v12.2d, #0\n movi v13.2d, #0\n movi v14.2d, #0\n"
		     "movi v15.2d, #0\n movi v16.2d, #0\n movi v17.2d, #0\n"
		     "movi v18.2d, #0\n movi v19.2d, #0\n movi v20.2d, #0\n"
		     "movi v21.2d, #0\n movi v22.2d, #0\n movi v23.2d, #0\n"
		     "movi v24.2d, #0\n movi v25.2d, #0\n movi v26.2d, #0\n"
		     "movi v27.2d, #0\n movi v28.2d, #0\n movi v29.2d, #0\n"
		     "movi v30.2d, #0\n movi v31.2d, #0\n"
		     "msr fpcr, xzr\n msr fpsr, xzr\n" ::
			     : "memory");
}

void el1_state_reset(void)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned int n;

	/* Memory system and exception state: what the MMU-off start needs. */
	write_sysreg(0, vbar_el1);
	write_sysreg(0, ttbr0_el1);
	write_sysreg(0, ttbr1_el1);
	write_sysreg(0, tcr_el1);
	write_sysreg(0, mair_el1);
	write_sysreg(0, amair_el1);
	write_sysreg(0, contextidr_el1);
	write_sysreg(0, par_el1);
	write_sysreg(0, cpacr_el1);
	write_sysreg(0, csselr_el1);
	write_sysreg(0, esr_el1);
	write_sysreg(0, far_el1);
	write_sysreg(0, afsr0_el1);
	write_sysreg(0, afsr1_el1);
	write_sysreg(0, elr_el1);
	write_sysreg(0, spsr_el1);
	write_sysreg(0, sp_el0);
	write_sysreg(0, sp_el1);
	/* Thread pointers: Linux's per-CPU offset and current task. */
	write_sysreg(0, tpidr_el1);
	write_sysreg(0, tpidr_el0);
	write_sysreg(0, tpidrro_el0);

	/* Both EL1 timers off, so none fires into the next owner. */
	write_sysreg(0, cntkctl_el1);
	write_sysreg(0, cntp_ctl_el0);
	write_sysreg(0, cntp_cval_el0);
	write_sysreg(0, cntv_ctl_el0);
	write_sysreg(0, cntv_cval_el0);

	/* PMU: counters stopped and zeroed, no overflow interrupt. */
	write_sysreg(PMCR_RESET_COUNTERS, pmcr_el0);
	write_sysreg(~0ULL, pmcntenclr_el0);
	write_sysreg(~0ULL, pmintenclr_el1);
	write_sysreg(~0ULL, pmovsclr_el0);
	write_sysreg(0, pmuserenr_el0);
	write_sysreg(0, pmselr_el0);
	write_sysreg(0, pmccfiltr_el0);

	/* Debug: no breakpoint, watchpoint or single step armed. */
	write_sysreg(0, mdscr_el1);
	for (n = 0; n < ID_AA64DFR0_BRPS(dfr0); n++)
		breakpoint_clear(n);
	for (n = 0; n < ID_AA64DFR0_WRPS(dfr0); n++)
		watchpoint_clear(n);

	fpsimd_clear();
	isb();
}
