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
 *
 * Three acts are allowed, to show what a cell may do:
 *   act=start-sibling   cpu=   (PSCI CPU_ON of a CPU of the cell itself;
 *                               it reports and turns itself off again)
 *   act=psci-info              (PSCI version, and FEATURES of CPU_ON and
 *                               SYSTEM_RESET)
 *   act=comm-region     addr=  (what the cell's comm region says; default
 *                               0x80000000, where the lab configs put it)
 */
#include "inmate.h"

#define GICD_ISENABLER 0x0100
#define GICD_IROUTER 0x6000

#define HC_CELL_CREATE 1UL

void handle_irq(u64 counter_on_entry)
{
	(void)counter_on_entry;
}

static s64 root_only_hypercall(void)
{
	register u64 x0 asm("x0") = HC_CELL_CREATE;
	register u64 x1 asm("x1") = 0;

	asm volatile("hvc #0x4a48" : "+r"(x0) : "r"(x1) : "memory");
	return (s64)x0;
}

static volatile int sibling_ran;

static void sibling_entry(void)
{
	print("probe: sibling CPU running, MPIDR 0x%lx\n",
	      read_sysreg(mpidr_el1) & 0xff00fffffful);
	sibling_ran = 1;
	psci_cpu_off();
}

static void secondary_entry(void)
{
	print("probe: FOREIGN CPU STARTED\n");
	halt();
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
#define GICR_STRIDE 0x20000UL
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define PSCI_CPU_OFF_FN 0x84000002UL
#define PSCI_CPU_ON_FN 0xc4000003UL

static u64 this_mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00fffffful;
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
	      "interleaved %lu and %lu times\n", race_count,
	      race_interleaved[0], race_interleaved[1]);
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

	asm volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3)
		     : "memory");
	return (s64)x0;
}

static void waker_sibling(void)
{
	u64 woken = 0, next = 256;

	print("probe: sibling 0x%lx wakes CPU 0x%lx in a loop\n",
	      this_mpidr(), waker_target);
	for (;;) {
		if (raw_cpu_on(waker_target, wake_and_off) == 0)
			woken++;
		if (woken == next) {
			print("probe: woke CPU 0x%lx %lu times\n",
			      waker_target, woken);
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
	      "off\n", mpidr, ret, waker_target);
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
	verdict(n < count, "root-only hypercall");
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
	u32 affinity = this_mpidr() & 0xffffff;
	u64 frame = GICR_BASE;
	u32 waker;

	while (mmio_read32(frame + GICR_TYPER + 4) != affinity) {
		if (mmio_read32(frame + GICR_TYPER) & GICR_TYPER_LAST) {
			print("probe: no redistributor for this CPU\n");
			return;
		}
		frame += GICR_STRIDE;
	}
	mmio_write32(frame + GICR_WAKER, GICR_WAKER_PROCESSOR_SLEEP);
	waker = mmio_read32(frame + GICR_WAKER);
	print("probe: redistributor 0x%lx WAKER 0x%x\n", frame, waker);
	verdict(!(waker & GICR_WAKER_PROCESSOR_SLEEP),
		"redistributor put to sleep");
	/* Undo it where it worked, so the CPU keeps taking interrupts. */
	mmio_write32(frame + GICR_WAKER, 0);
}

/* Returns whether @act was one of this block's. */
static int isolation_core_act(const char *act, u64 gicd)
{
	if (equal(act, "console-race"))
		console_race(gicd);
	else if (equal(act, "wake-stopped"))
		wake_stopped();
	else if (equal(act, "refusal-flood"))
		refusal_flood();
	else if (equal(act, "filtered-flood"))
		filtered_flood(gicd);
	else if (equal(act, "gicr-sleep"))
		gicr_sleep();
	else
		return 0;
	return 1;
}

/* ---- isolation-core acts: end ---- */

void inmate_main(void)
{
	const char *act = cmdline_str("act", "none");
	u64 gicd = cmdline_u64("gicd-base", 0x08000000);

	console_init();
	print("probe: act=%s\n", act);
	if (equal(act, "read-root-ram")) {
		u64 addr = cmdline_u64("addr", 0x40000000);

		u32 value;

		print("probe: reading 0x%lx\n", addr);
		value = mmio_read32(addr);
		print("probe: value 0x%x\n", value);
		verdict(0, "read of foreign memory returned");
	} else if (equal(act, "write-cell-ram")) {
		u64 addr = cmdline_u64("addr", 0x70100000);

		print("probe: writing 0x%lx\n", addr);
		mmio_write32(addr, 0x0badce11);
		verdict(mmio_read32(addr) != 0x0badce11, "write took effect");
	} else if (equal(act, "enable-irq")) {
		u32 intid = cmdline_u64("irq", 1) + 32;
		u64 reg = gicd + GICD_ISENABLER + intid / 32 * 4;

		mmio_write32(reg, 1u << (intid % 32));
		verdict(!(mmio_read32(reg) & (1u << (intid % 32))),
			"foreign SPI enabled");
	} else if (equal(act, "route-irq")) {
		u32 intid = cmdline_u64("irq", 1) + 32;
		u64 reg = gicd + GICD_IROUTER + intid * 8;
		u32 target = cmdline_u64("cpu", 0);

		mmio_write32(reg, target);
		verdict(mmio_read32(reg) != target, "SPI routed to a foreign CPU");
	} else if (equal(act, "cpu-on")) {
		s64 ret = psci_cpu_on(cmdline_u64("cpu", 0), secondary_entry);

		print("probe: CPU_ON returned %ld\n", ret);
		verdict(ret < 0, "foreign CPU_ON");
	} else if (equal(act, "start-sibling")) {
		u64 mpidr = cmdline_u64("cpu", 1);
		s64 ret = psci_cpu_on(mpidr, sibling_entry);

		/* Quiet until the sibling is off: both would print at once. */
		while (ret == 0 && !sibling_ran)
			;
		while (ret == 0 && psci_affinity_info(mpidr) != PSCI_AFFINITY_OFF)
			;
		print("probe: CPU_ON of the cell's MPIDR 0x%lx returned %ld\n",
		      mpidr, ret);
		print("probe: sibling %s\n",
		      ret == 0 ? "started and off again" : "NOT STARTED");
	} else if (equal(act, "psci-info")) {
		s64 version = psci_version();

		print("probe: PSCI %ld.%ld, CPU_ON features %ld, SYSTEM_RESET "
		      "features %ld\n", version >> 16, version & 0xffff,
		      psci_features(PSCI_CPU_ON_64),
		      psci_features(PSCI_SYSTEM_RESET));
	} else if (equal(act, "comm-region")) {
		/* Offsets of Jailhouse's arm64 comm region, ABI revision 2. */
		u64 comm = cmdline_u64("addr", 0x80000000);
		const volatile char *magic = (const volatile char *)comm;

		print("probe: comm region %c%c%c%c%c%c revision %u, cell state %u, "
		      "GICv%u distributor 0x%lx redistributor 0x%lx\n",
		      magic[0], magic[1], magic[2], magic[3], magic[4], magic[5],
		      *(volatile unsigned short *)(comm + 6),
		      mmio_read32(comm + 8), mmio_read8(comm + 64),
		      *(volatile u64 *)(comm + 72), *(volatile u64 *)(comm + 88));
	} else if (equal(act, "root-hypercall")) {
		s64 ret = root_only_hypercall();

		print("probe: cell create hypercall returned %ld\n", ret);
		verdict(ret < 0, "root-only hypercall");
	} else if (!isolation_core_act(act, gicd)) {
		print("probe: unknown act; see demos/probe.c\n");
	}
	print("probe: done\n");
}
