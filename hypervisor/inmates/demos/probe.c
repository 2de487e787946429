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
	} else {
		print("probe: unknown act; see demos/probe.c\n");
	}
	print("probe: done\n");
}
