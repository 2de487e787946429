// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Isolation probe: tries one forbidden act per run, chosen by "act=", and
 * says what happened. Under the hypervisor every act must be blocked: the
 * access faults (the cell is stopped and the hypervisor console says why),
 * or a register write has no effect, or a call returns an error. On the
 * bare machine the same acts succeed, which shows the probe really does them.
 *
 *   act=read-root-ram   addr=  (default 0x40000000, Linux RAM on the lab)
 *   act=write-cell-ram  addr=  (default 0x70100000, uart-hello's RAM)
 *   act=enable-irq      irq=   (SPI, default 1: the UART, owned by Linux)
 *   act=route-irq       irq= cpu=  (route an SPI to a CPU outside the cell)
 *   act=cpu-on          cpu=   (PSCI CPU_ON of a CPU outside the cell)
 *   act=root-hypercall         (cell create, which only the root may call)
 *
 * Acts against the hypervisor's own bookkeeping (isolation-core block below;
 * cpu= is the MPIDR of the cell's second CPU):
 *   act=console-race    cpu= count=  (both CPUs print count= characters at
 *                                     once, then the cell checks it still
 *                                     owns no foreign SPI)
 *   act=wake-stopped    cpu=         (the sibling wakes this CPU with CPU_ON
 *                                     over and over while it turns itself
 *                                     off, so a stop never finds both parked)
 *   act=refusal-flood   count=       (the root-only hypercall count= times)
 *   act=filtered-flood  count=       (count= GICD writes to a foreign SPI)
 *   act=gicr-sleep                   (put its own redistributor to sleep, so
 *                                     the management SGI would not arrive)
 *   act=el2-stall       ms=          (stay at EL2 for ms= at a time, again
 *                                     and again, through a hypercall that
 *                                     only a TEST_HOOKS firmware serves: a
 *                                     CPU that cannot take the stop request)
 *
 * Three acts are allowed, to show what a cell may do:
 *   act=start-sibling   cpu=   (PSCI CPU_ON of a CPU of the cell itself;
 *                               it reports and turns itself off again)
 *   act=psci-info              (PSCI version, and FEATURES of CPU_ON and
 *                               SYSTEM_RESET)
 *   act=comm-region     addr=  (what the cell's comm region says; default
 *                               0x80000000, where the lab configs put it)
 *
 * Acts that answer the hypervisor's shutdown request (comm region messages;
 * deny and lock also acknowledge RECONFIG_COMPLETED, printing that they did):
 *   act=deny      count=  (deny count= requests, default 1, then approve)
 *   act=silent            (never answer)
 *   act=lock              (lock the cell, deny the first request and
 *                          unlock a second later, then approve)
 *
 * The GIC and CPU-handover acts (F5, F7-F10) are in their own block below.
 *
 * The hostile soak, for as long as the cell runs:
 *   act=soak       cpu= comm=   (both CPUs repeat, round after round, every
 *                               act the hypervisor filters without stopping
 *                               the cell; CPU 0 reports both CPUs' rounds)
 */
#include "gic.h"

#define HC_CELL_CREATE 1UL
/* Served by test builds of the firmware only (TEST_HOOKS=1, core/control.c). */
#define HC_TEST_STALL 0x7e57UL

static s64 root_only_hypercall(void)
{
	return hypercall1(HC_CELL_CREATE, 0);
}

static volatile int sibling_ran;

static void sibling_entry(void)
{
	print("probe: sibling CPU running, MPIDR 0x%lx\n",
	      read_sysreg(mpidr_el1) & MPIDR_CPUID_MASK);
	sibling_ran = 1;
	psci_cpu_off();
}

static void secondary_entry(void)
{
	print("probe: FOREIGN CPU STARTED\n");
	halt();
}

/*
 * Answers shutdown requests, denying the first @denials, and acknowledges
 * each notice that another cell came or went; never returns.
 */
static void serve_requests(u64 denials, int unlock_after_denial)
{
	for (;;) {
		u32 msg = comm_message();

		if (msg == MSG_RECONFIG_COMPLETED) {
			print("probe: reconfiguration noted\n");
			comm_answer(msg, 0);
			while (comm_message() == MSG_RECONFIG_COMPLETED)
				;
			continue;
		}
		if (msg != MSG_SHUTDOWN_REQUEST) {
			comm_answer(msg, 0);
			continue;
		}
		if (!denials) {
			print("probe: shutdown request approved\n");
			comm_answer(msg, 1);
			halt();
		}
		denials--;
		print("probe: shutdown request denied\n");
		comm_answer(msg, 0);
		/* The request stays posted until the hypervisor takes the
		 * answer: wait for it, so one request is denied once. */
		while (comm_message() == MSG_SHUTDOWN_REQUEST)
			;
		if (unlock_after_denial) {
			/* Still locked for a second, so the root sees what
			 * the cell said when it denied. */
			u64 until = read_sysreg(cntvct_el0) +
				    read_sysreg(cntfrq_el0);

			while (read_sysreg(cntvct_el0) < until)
				;
			comm_set_state(CELL_RUNNING);
			unlock_after_denial = 0;
			print("probe: unlocked\n");
		}
	}
}

/* cmdline_str() points into the command line: a value ends at a space. */
static int equal(const char *value, const char *word)
{
	while (*word && *value == *word)
		value++, word++;
	return !*word && (*value == '\0' || *value == ' ');
}

static void verdict(int blocked, const char *what)
{
	print("probe: %s: %s\n", blocked ? "blocked" : "NOT BLOCKED", what);
}

/* ---- isolation-core acts (F1, F2, F6, F11): begin ---- */

#define GICR_BASE 0x080a0000UL
#define PSCI_CPU_OFF_FN 0x84000002UL
#define PSCI_CPU_ON_FN 0xc4000003UL

static u64 this_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_CPUID_MASK;
}

/*
 * console-race: the sibling and this CPU each print `count` characters,
 * as fast as they can. 'y' is 121: were the line count ever to run past
 * the hypervisor's 120-byte buffer, these bytes would push it far beyond.
 */
static volatile u64 race_count;
/* Per CPU: 0 not yet, 1 printing, 2 done; characters printed so far. */
static volatile int race_state[2];
static volatile u64 race_printed[2];
/* How often a CPU saw the other's count move between two of its own
 * characters: how finely the two streams interleaved. */
static volatile u64 race_interleaved[2];

static void race_print(int who)
{
	u64 n, seen = 0;

	race_state[who] = 1;
	while (!race_state[!who])
		;
	for (n = 0; n < race_count; n++) {
		console_putc('y');
		race_printed[who] = n + 1;
		if (race_printed[!who] != seen) {
			seen = race_printed[!who];
			if (race_state[!who] == 1)
				race_interleaved[who]++;
		}
	}
	race_state[who] = 2;
}

static void race_sibling(void)
{
	race_print(1);
	psci_cpu_off();
}

static void console_race(u64 gicd)
{
	u64 mpidr = cmdline_u64("cpu", 1);
	u32 intid = 33;
	u64 reg = gicd + GICD_ISENABLER + intid / 32 * 4;
	s64 ret;

	race_count = cmdline_u64("count", 5000);
	ret = psci_cpu_on(mpidr, race_sibling);
	if (ret) {
		print("probe: CPU_ON of 0x%lx returned %ld\n", mpidr, ret);
		return;
	}
	race_print(0);
	while (race_state[1] != 2)
		;
	print("\nprobe: console race: %lu characters from each of 2 CPUs, "
	      "interleaved %lu and %lu times\n",
	      race_count, race_interleaved[0], race_interleaved[1]);
	/* What an overrun rewrote first: the cell's SPI ownership. */
	mmio_write32(reg, 1u << (intid % 32));
	verdict(!(mmio_read32(reg) & (1u << (intid % 32))),
		"foreign SPI enabled after the race");
}

/*
 * wake-stopped: the sibling loops on CPU_ON of this CPU, which turns itself
 * off each time it comes up (without a stack: both would share one). Any
 * stop of the cell then races a wake-up.
 */
void wake_and_off(void);
asm(".pushsection .text\n"
    "wake_and_off:\n"
    "	ldr x0, =0x84000002\n"
    "	hvc #0\n"
    "1:	b 1b\n"
    ".popsection");

static volatile u64 waker_target;

static s64 raw_cpu_on(u64 mpidr, void (*entry)(void))
{
	register u64 x0 asm("x0") = PSCI_CPU_ON_FN;
	register u64 x1 asm("x1") = mpidr;
	register u64 x2 asm("x2") = (u64)entry;
	register u64 x3 asm("x3") = 0;

	asm volatile("hvc #0"
		     : "+r"(x0)
		     : "r"(x1), "r"(x2), "r"(x3)
		     : "memory");
	return (s64)x0;
}

static void waker_sibling(void)
{
	u64 woken = 0, next = 256;

	print("probe: sibling 0x%lx wakes CPU 0x%lx in a loop\n", this_mpidr(),
	      waker_target);
	for (;;) {
		if (raw_cpu_on(waker_target, wake_and_off) == 0)
			woken++;
		if (woken == next) {
			print("probe: woke CPU 0x%lx %lu times\n", waker_target,
			      woken);
			next *= 2;
		}
	}
}

static void wake_stopped(void)
{
	u64 mpidr = cmdline_u64("cpu", 1);
	s64 ret;

	waker_target = this_mpidr();
	ret = psci_cpu_on(mpidr, waker_sibling);
	print("probe: CPU_ON of 0x%lx returned %ld; CPU 0x%lx turns itself "
	      "off\n",
	      mpidr, ret, waker_target);
	if (ret == 0)
		wake_and_off();
}

/* refusal-flood / filtered-flood: the same refused act, over and over. */
static void refusal_flood(void)
{
	u64 count = cmdline_u64("count", 1000), n;

	for (n = 0; n < count; n++)
		if (root_only_hypercall() >= 0)
			break;
	print("probe: root-only hypercall refused %lu times\n", n);
	verdict(n == count, "root-only hypercall");
}

static void filtered_flood(u64 gicd)
{
	u64 count = cmdline_u64("count", 1000), n;
	u32 intid = 33;
	u64 reg = gicd + GICD_ISENABLER + intid / 32 * 4;

	for (n = 0; n < count; n++)
		mmio_write32(reg, 1u << (intid % 32));
	print("probe: wrote a foreign SPI's enable %lu times\n", count);
	verdict(!(mmio_read32(reg) & (1u << (intid % 32))),
		"foreign SPI enabled");
}

static void gicr_sleep(void)
{
	u64 frame = gic_find_redistributor(GICR_BASE);
	u32 waker;

	if (!frame) {
		print("probe: no redistributor for this CPU\n");
		return;
	}
	mmio_write32(frame + GICR_WAKER, GICR_WAKER_PROCESSOR_SLEEP);
	waker = mmio_read32(frame + GICR_WAKER);
	print("probe: redistributor 0x%lx WAKER 0x%x\n", frame, waker);
	verdict(!(waker & GICR_WAKER_PROCESSOR_SLEEP),
		"redistributor put to sleep");
	/* Undo it where it worked, so the CPU keeps taking interrupts. */
	mmio_write32(frame + GICR_WAKER, 0);
}

/* ---- isolation-core acts: end ---- */

/* ==== isolation-gic acts: GIC filter, CPU handover (F5, F7, F8, F9, F10) ====
 *
 *   act=mask-irq     irq= foreign=  (enable, disable, pend and unpend an own
 *                                    SPI; then enable and disable a foreign
 *                                    one: blocked if that has no effect)
 *   act=spi-self     irq=           (enable an own SPI without routing it,
 *                                    make it pending: does it arrive here?)
 *   act=route-own-irq irq= cpu=     (64-bit IROUTER write of an own SPI to a
 *                                    CPU outside the cell)
 *   act=misaligned-gicd kind=       (unaligned: MMU on, a 32-bit read at
 *                                    GICD + 0x82; odd: a 16-bit read of
 *                                    GICD_IGROUPR1)
 *   act=cpu-state    mark=          (the EL1 state this CPU came with; with
 *                                    mark=1 the probe then leaves its own
 *                                    values there for the next owner)
 *   act=plant-sgi    sgi=           (leave SGI n pending here, IRQs masked)
 *
 * F14 acts:
 *   act=actlr                       (read ACTLR_EL1, write it with bit 0
 *                                    flipped, read it back)
 *   act=comm-dirty   addr=          (what this run finds in the comm page,
 *                                    default 0x80000000: the signature and
 *                                    a word past the fields; then it leaves
 *                                    its own values there for the next run)
 */

static volatile u32 last_irq = 1023, irq_count;

void handle_irq(u64 counter_on_entry)
{
	u32 intid = gic_ack();

	(void)counter_on_entry;
	if (intid >= 1020)
		return;
	last_irq = intid;
	irq_count++;
	gic_eoi(intid);
}

static u32 spi_bit(u64 gicd, u32 bank, u32 intid)
{
	return (mmio_read32(gicd + bank + intid / 32 * 4) >> (intid % 32)) & 1;
}

static void spi_set(u64 gicd, u32 bank, u32 intid)
{
	mmio_write32(gicd + bank + intid / 32 * 4, 1u << (intid % 32));
}

static void mask_irq(u64 gicd)
{
	u32 own = cmdline_u64("irq", 100) + 32;
	u32 foreign = cmdline_u64("foreign", 1) + 32;
	u32 enabled, disabled, pending, unpended;

	spi_set(gicd, GICD_ISENABLER, own);
	enabled = spi_bit(gicd, GICD_ISENABLER, own);
	spi_set(gicd, GICD_ICENABLER, own);
	disabled = !spi_bit(gicd, GICD_ISENABLER, own);
	spi_set(gicd, GICD_ISPENDR, own);
	pending = spi_bit(gicd, GICD_ISPENDR, own);
	spi_set(gicd, GICD_ICPENDR, own);
	unpended = !spi_bit(gicd, GICD_ISPENDR, own);
	print("probe: own SPI %u: enabled %u, disabled %u, pending %u, "
	      "unpended %u\n",
	      own, enabled, disabled, pending, unpended);
	print("probe: own SPI %s\n", enabled && disabled && pending && unpended
					     ? "masked and unpended"
					     : "NOT MASKED");

	spi_set(gicd, GICD_ISENABLER, foreign);
	enabled = spi_bit(gicd, GICD_ISENABLER, foreign);
	spi_set(gicd, GICD_ICENABLER, foreign);
	disabled = !spi_bit(gicd, GICD_ISENABLER, foreign);
	verdict(!(enabled && disabled), "foreign SPI enabled and masked");
}

static void enable_own_spi(u64 gicd, u32 intid)
{
	u64 priority = gicd + GICD_IPRIORITYR + (intid & ~3u);
	u32 shift = (intid & 3) * 8;

	mmio_write32(gicd + GICD_IGROUPR + intid / 32 * 4,
		     mmio_read32(gicd + GICD_IGROUPR + intid / 32 * 4) |
			     1u << (intid % 32));
	mmio_write32(priority, (mmio_read32(priority) & ~(0xffu << shift)) |
				       0x80u << shift);
	spi_set(gicd, GICD_ISENABLER, intid);
}

/* Leaves IROUTER as it found it: where the SPI goes is the point. */
static void spi_self(u64 gicd)
{
	u32 intid = cmdline_u64("irq", 100) + 32;
	unsigned int i;

	gic_init();
	print("probe: SPI %u routed to 0x%lx\n", intid,
	      *(volatile u64 *)(gicd + GICD_IROUTER + intid * 8));
	enable_own_spi(gicd, intid);
	irqs_enable();
	spi_set(gicd, GICD_ISPENDR, intid);
	for (i = 0; i < 10000000 && !irq_count; i++)
		;
	spi_set(gicd, GICD_ICENABLER, intid);
	print("probe: own SPI %u %s\n", intid,
	      irq_count && last_irq == intid ? "taken on this CPU"
					     : "NOT TAKEN on this CPU");
}

static void route_own_irq(u64 gicd)
{
	u32 intid = cmdline_u64("irq", 100) + 32;
	u64 reg = gicd + GICD_IROUTER + intid * 8;
	u64 target = cmdline_u64("cpu", 0);

	mmio_write64(reg, target);
	verdict(*(volatile u64 *)reg != target,
		"own SPI routed to a foreign CPU");
}

/*
 * Identity map of the first 4 GiB in 1 GiB blocks of Normal non-cacheable
 * memory (MAIR attribute 0 = 0x44), so unaligned accesses are legal at
 * stage 1 and reach the device, or the hypervisor's stage 2.
 */
static u64 iso_gic_pt[512] __attribute__((aligned(4096)));

static void mmu_on_normal(void)
{
	u64 i;

	for (i = 0; i < 4; i++)
		iso_gic_pt[i] = i << 30 | 1ul << 10 /* AF */ | 1 /* block */;
	write_sysreg(mair_el1, 0x44);
	/* T0SZ 32: 4 GiB from level 1; EPD1: no TTBR1 walks. */
	write_sysreg(tcr_el1, 32ul | 1ul << 23);
	write_sysreg(ttbr0_el1, (u64)iso_gic_pt);
	isb();
	asm volatile("tlbi vmalle1; dsb nsh; isb" ::: "memory");
	write_sysreg(sctlr_el1, (read_sysreg(sctlr_el1) | 1) & ~2ul);
	isb();
}

static void misaligned_gicd(u64 gicd)
{
	const char *kind = cmdline_str("kind", "unaligned");
	u32 value;

	if (equal(kind, "odd")) {
		print("probe: 16-bit read of GICD_IGROUPR1\n");
		value = *(volatile unsigned short *)(gicd + GICD_IGROUPR + 4);
	} else {
		mmu_on_normal();
		print("probe: MMU on; 32-bit read at GICD + 0x82\n");
		value = *(volatile u32 *)(gicd + 0x82);
	}
	print("probe: value 0x%x\n", value);
	verdict(0, "odd GICD access returned");
}

static u64 fp_v0(void)
{
	u64 v;

	asm volatile("umov %0, v0.d[0]" : "=r"(v));
	return v;
}

extern u64 entry_vbar_el1;

/* Values a previous owner could have left: none may reach us. */
static void cpu_state(void)
{
	print("probe: state VBAR_EL1 0x%lx TTBR0_EL1 0x%lx TTBR1_EL1 0x%lx "
	      "TCR_EL1 0x%lx MAIR_EL1 0x%lx\n",
	      entry_vbar_el1, read_sysreg(ttbr0_el1), read_sysreg(ttbr1_el1),
	      read_sysreg(tcr_el1), read_sysreg(mair_el1));
	print("probe: state TPIDR_EL1 0x%lx TPIDR_EL0 0x%lx TPIDRRO_EL0 0x%lx "
	      "SP_EL0 0x%lx CONTEXTIDR_EL1 0x%lx\n",
	      read_sysreg(tpidr_el1), read_sysreg(tpidr_el0),
	      read_sysreg(tpidrro_el0), read_sysreg(sp_el0),
	      read_sysreg(contextidr_el1));
	print("probe: state ELR_EL1 0x%lx SPSR_EL1 0x%lx ESR_EL1 0x%lx "
	      "FAR_EL1 0x%lx PAR_EL1 0x%lx AMAIR_EL1 0x%lx\n",
	      read_sysreg(elr_el1), read_sysreg(spsr_el1), read_sysreg(esr_el1),
	      read_sysreg(far_el1), read_sysreg(par_el1),
	      read_sysreg(amair_el1));
	print("probe: state CNTKCTL_EL1 0x%lx CNTP_CTL_EL0 0x%lx "
	      "CNTP_CVAL_EL0 0x%lx CNTV_CTL_EL0 0x%lx CNTV_CVAL_EL0 0x%lx\n",
	      read_sysreg(cntkctl_el1), read_sysreg(cntp_ctl_el0),
	      read_sysreg(cntp_cval_el0), read_sysreg(cntv_ctl_el0),
	      read_sysreg(cntv_cval_el0));
	/* PMCR_EL0's low bits only: the rest names the implementation. */
	print("probe: state PMCR_EL0 0x%lx PMCNTENSET_EL0 0x%lx "
	      "PMINTENSET_EL1 0x%lx PMUSERENR_EL0 0x%lx MDSCR_EL1 0x%lx "
	      "V0 0x%lx\n",
	      read_sysreg(pmcr_el0) & 0xff, read_sysreg(pmcntenset_el0),
	      read_sysreg(pmintenset_el1), read_sysreg(pmuserenr_el0),
	      read_sysreg(mdscr_el1), fp_v0());
	if (!cmdline_u64("mark", 0))
		return;
	write_sysreg(tpidr_el1, 0x5afe0001ul);
	write_sysreg(tpidr_el0, 0x5afe0002ul);
	write_sysreg(tpidrro_el0, 0x5afe0003ul);
	write_sysreg(contextidr_el1, 0x5afe0004ul);
	write_sysreg(sp_el0, 0x5afe0005ul);
	write_sysreg(far_el1, 0x5afe0006ul);
	write_sysreg(cntkctl_el1, 0x3ul);
	/* Armed, far enough ahead not to fire while we run. */
	write_sysreg(cntp_cval_el0, read_sysreg(cntpct_el0) + (1ul << 36));
	write_sysreg(cntp_ctl_el0, 1);
	write_sysreg(pmcntenset_el0, 1ul << 31);
	write_sysreg(mdscr_el1, 1ul << 15);
	asm volatile("mov v0.d[0], %0" ::"r"(0x5afe0007ul));
	print("probe: state marked\n");
}

static void plant_sgi(void)
{
	u32 sgi = cmdline_u64("sgi", 2) & 15;
	u64 mpidr = read_sysreg(mpidr_el1);

	gic_init();
	gic_enable_ppi(sgi);
	/* IRQs stay masked: the SGI waits here until the CPU changes hands. */
	write_sysreg(S3_0_C12_C11_5, /* ICC_SGI1R_EL1 */
		     MPIDR_AFF(mpidr, 1) << ICC_SGI1R_AFF1_SHIFT |
			     MPIDR_AFF(mpidr, 2) << ICC_SGI1R_AFF2_SHIFT |
			     MPIDR_AFF(mpidr, 3) << ICC_SGI1R_AFF3_SHIFT |
			     (u64)sgi << ICC_SGI1R_INTID_SHIFT |
			     1u << (mpidr & 0xf));
	isb();
	print("probe: SGI %u sent to this CPU, highest pending %lu\n", sgi,
	      read_sysreg(S3_0_C12_C12_2) &
		      ICC_INTID_MASK); /* ICC_HPPIR1_EL1 */
}

/* ACTLR_EL1 is S3_0_C1_C0_1; by name, older assemblers refuse it. */
static void actlr(void)
{
	u64 before = read_sysreg(S3_0_C1_C0_1), after;

	write_sysreg(S3_0_C1_C0_1, before ^ 1);
	isb();
	after = read_sysreg(S3_0_C1_C0_1);
	print("probe: ACTLR_EL1 0x%lx, wrote 0x%lx, reads 0x%lx\n", before,
	      before ^ 1, after);
}

#define COMM_DIRTY_MARK 0x5afe0008ul
#define COMM_DIRTY_WORD 0x800

static void comm_dirty(void)
{
	u64 comm = cmdline_u64("addr", 0x80000000);
	volatile char *magic = (volatile char *)comm;
	volatile u64 *word = (volatile u64 *)(comm + COMM_DIRTY_WORD);
	unsigned int i;

	print("probe: comm page signature %c%c%c%c%c%c, word 0x%lx\n", magic[0],
	      magic[1], magic[2], magic[3], magic[4], magic[5], *word);
	for (i = 0; i < 6; i++)
		magic[i] = 'X';
	*word = COMM_DIRTY_MARK;
	print("probe: comm page left dirty\n");
}

/* ==== end of isolation-gic acts ==== */

/* ---- hostile soak: begin ---- */

#define SOAK_FOREIGN_INTID 33
#define SOAK_REPORT_EVERY 2048

static volatile u64 soak_rounds[2];
static volatile u64 soak_peer;
static volatile u64 soak_gicd, soak_comm;

/*
 * One round: Linux's UART interrupt enabled and disabled, the own
 * redistributor put to sleep, ACTLR_EL1 written, SGI 2 (Linux's CPU stop)
 * left pending here, the sibling woken though it runs, the comm page
 * scribbled on, a few characters printed. All of it is filtered, none of
 * it stops the cell.
 */
static void soak_loop(int who)
{
	u64 gicd = soak_gicd, frame = gic_find_redistributor(GICR_BASE);
	u64 bank = SOAK_FOREIGN_INTID / 32 * 4;
	u32 bit = 1u << (SOAK_FOREIGN_INTID % 32);
	u64 mpidr = read_sysreg(mpidr_el1);

	for (;;) {
		mmio_write32(gicd + GICD_ISENABLER + bank, bit);
		mmio_write32(gicd + GICD_ICENABLER + bank, bit);
		if (frame) {
			mmio_write32(frame + GICR_WAKER,
				     GICR_WAKER_PROCESSOR_SLEEP);
			mmio_write32(frame + GICR_WAKER, 0);
		}
		write_sysreg(S3_0_C1_C0_1, read_sysreg(S3_0_C1_C0_1) ^ 1);
		write_sysreg(S3_0_C12_C11_5, (mpidr >> 8 & 0xff) << 16 |
						     (u64)2 << 24 |
						     1u << (mpidr & 0xf));
		if (who == 0)
			raw_cpu_on(soak_peer, wake_and_off);
		*(volatile u64 *)(soak_comm + COMM_DIRTY_WORD) =
			soak_rounds[who];
		soak_rounds[who]++;
		if (who == 0 && soak_rounds[0] % SOAK_REPORT_EVERY == 0)
			print("probe: soak rounds %lu and %lu\n",
			      soak_rounds[0], soak_rounds[1]);
	}
}

static void soak_sibling(void)
{
	soak_loop(1);
}

static void soak(u64 gicd)
{
	s64 ret;

	soak_gicd = gicd;
	soak_comm = cmdline_u64("comm", 0x80000000);
	soak_peer = cmdline_u64("cpu", 1);
	ret = psci_cpu_on(soak_peer, soak_sibling);
	print("probe: soak: CPU_ON of 0x%lx returned %ld\n", soak_peer, ret);
	soak_loop(0);
}

/* ---- hostile soak: end ---- */

/* ---- acts the hypervisor must block ---- */

static void read_root_ram(void)
{
	u64 addr = cmdline_u64("addr", 0x40000000);
	u32 value;

	print("probe: reading 0x%lx\n", addr);
	value = mmio_read32(addr);
	print("probe: value 0x%x\n", value);
	verdict(0, "read of foreign memory returned");
}

static void write_cell_ram(void)
{
	u64 addr = cmdline_u64("addr", 0x70100000);

	print("probe: writing 0x%lx\n", addr);
	mmio_write32(addr, 0x0badce11);
	verdict(mmio_read32(addr) != 0x0badce11, "write took effect");
}

static void enable_foreign_irq(u64 gicd)
{
	u32 intid = cmdline_u64("irq", 1) + 32;
	u64 reg = gicd + GICD_ISENABLER + intid / 32 * 4;

	mmio_write32(reg, 1u << (intid % 32));
	verdict(!(mmio_read32(reg) & (1u << (intid % 32))),
		"foreign SPI enabled");
}

static void route_foreign_irq(u64 gicd)
{
	u32 intid = cmdline_u64("irq", 1) + 32;
	u64 reg = gicd + GICD_IROUTER + intid * 8;
	u32 target = cmdline_u64("cpu", 0);

	mmio_write32(reg, target);
	verdict(mmio_read32(reg) != target, "SPI routed to a foreign CPU");
}

static void foreign_cpu_on(void)
{
	s64 ret = psci_cpu_on(cmdline_u64("cpu", 0), secondary_entry);

	print("probe: CPU_ON returned %ld\n", ret);
	verdict(ret < 0, "foreign CPU_ON");
}

static void call_root_hypercall(void)
{
	s64 ret = root_only_hypercall();

	print("probe: cell create hypercall returned %ld\n", ret);
	verdict(ret < 0, "root-only hypercall");
}

/* ---- acts a cell may do ---- */

static void start_sibling(void)
{
	u64 mpidr = cmdline_u64("cpu", 1);
	s64 ret = psci_cpu_on(mpidr, sibling_entry);

	/* Quiet until the sibling is off: both would print at once. */
	while (ret == 0 && !sibling_ran)
		;
	while (ret == 0 && psci_affinity_info(mpidr) != PSCI_AFFINITY_OFF)
		;
	print("probe: CPU_ON of the cell's MPIDR 0x%lx returned %ld\n", mpidr,
	      ret);
	print("probe: sibling %s\n",
	      ret == 0 ? "started and off again" : "NOT STARTED");
}

static void psci_info(void)
{
	s64 version = psci_version();

	print("probe: PSCI %ld.%ld, CPU_ON features %ld, SYSTEM_RESET "
	      "features %ld\n",
	      version >> 16, version & 0xffff, psci_features(PSCI_CPU_ON_64),
	      psci_features(PSCI_SYSTEM_RESET));
}

static void comm_region(void)
{
	/* Offsets of Jailhouse's arm64 comm region, ABI revision 2. */
	u64 comm = cmdline_u64("addr", 0x80000000);
	const volatile char *magic = (const volatile char *)comm;

	print("probe: comm region %c%c%c%c%c%c revision %u, cell state %u, "
	      "GICv%u distributor 0x%lx redistributor 0x%lx\n",
	      magic[0], magic[1], magic[2], magic[3], magic[4], magic[5],
	      *(volatile unsigned short *)(comm + 6), mmio_read32(comm + 8),
	      mmio_read8(comm + 64), *(volatile u64 *)(comm + 72),
	      *(volatile u64 *)(comm + 88));
}

/* ---- the comm-region acts: the cell's say in its own shutdown ---- */

static void deny_shutdown(void)
{
	print("probe: denying %lu shutdown request(s)\n",
	      cmdline_u64("count", 1));
	serve_requests(cmdline_u64("count", 1), 0);
}

static void never_answer(void)
{
	print("probe: never answering\n");
	for (;;)
		asm volatile("wfi");
}

static void lock_cell(void)
{
	comm_set_state(CELL_RUNNING_LOCKED);
	print("probe: locked (state %u)\n", comm_state());
	serve_requests(1, 1);
}

/* Served by TEST_HOOKS firmware only; others stop the cell. */
static void el2_stall(void)
{
	u64 ms = cmdline_u64("ms", 5000), n;

	print("probe: staying at EL2 for %lu ms, again and again\n", ms);
	for (n = 1;; n++) {
		s64 ret = hypercall1(HC_TEST_STALL, ms);

		/* Quiet after the first: time at EL1 takes the stop. */
		if (n == 1 || ret)
			print("probe: stall %lu returned %ld\n", n, ret);
		if (ret)
			break;
	}
}

/* An act= value and what it runs: with the distributor's base, or without. */
struct act {
	const char *name;
	void (*run)(void);
	void (*run_gic)(u64 gicd);
};

static const struct act acts[] = {
	{ "read-root-ram", .run = read_root_ram },
	{ "write-cell-ram", .run = write_cell_ram },
	{ "enable-irq", .run_gic = enable_foreign_irq },
	{ "route-irq", .run_gic = route_foreign_irq },
	{ "cpu-on", .run = foreign_cpu_on },
	{ "root-hypercall", .run = call_root_hypercall },
	{ "start-sibling", .run = start_sibling },
	{ "psci-info", .run = psci_info },
	{ "comm-region", .run = comm_region },
	{ "deny", .run = deny_shutdown },
	{ "silent", .run = never_answer },
	{ "lock", .run = lock_cell },
	{ "console-race", .run_gic = console_race },
	{ "wake-stopped", .run = wake_stopped },
	{ "refusal-flood", .run = refusal_flood },
	{ "filtered-flood", .run_gic = filtered_flood },
	{ "gicr-sleep", .run = gicr_sleep },
	{ "el2-stall", .run = el2_stall },
	{ "mask-irq", .run_gic = mask_irq },
	{ "spi-self", .run_gic = spi_self },
	{ "route-own-irq", .run_gic = route_own_irq },
	{ "misaligned-gicd", .run_gic = misaligned_gicd },
	{ "cpu-state", .run = cpu_state },
	{ "plant-sgi", .run = plant_sgi },
	{ "actlr", .run = actlr },
	{ "comm-dirty", .run = comm_dirty },
	{ "soak", .run_gic = soak },
};

void inmate_main(void)
{
	const char *act = cmdline_str("act", "none");
	u64 gicd = cmdline_u64("gicd-base", 0x08000000);
	unsigned int n;

	console_init();
	print("probe: act=%s\n", act);
	for (n = 0; n < sizeof(acts) / sizeof(acts[0]); n++)
		if (equal(act, acts[n].name))
			break;
	if (n == sizeof(acts) / sizeof(acts[0]))
		print("probe: unknown act; see demos/probe.c\n");
	else if (acts[n].run)
		acts[n].run();
	else
		acts[n].run_gic(gicd);
	print("probe: done\n");
}
