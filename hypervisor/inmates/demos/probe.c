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
 */
#include "inmate.h"

#define GICD_ISENABLER 0x0100
#define GICD_IROUTER 0x6000

#define PSCI_CPU_ON_64 0xc4000003UL
#define HC_CELL_CREATE 1UL

void handle_irq(u64 counter_on_entry)
{
	(void)counter_on_entry;
}

static s64 hvc(u64 imm_is_jailhouse, u64 code, u64 arg1, u64 arg2, u64 arg3)
{
	register u64 x0 asm("x0") = code;
	register u64 x1 asm("x1") = arg1;
	register u64 x2 asm("x2") = arg2;
	register u64 x3 asm("x3") = arg3;

	if (imm_is_jailhouse)
		asm volatile("hvc #0x4a48"
			     : "+r"(x0)
			     : "r"(x1), "r"(x2), "r"(x3)
			     : "memory");
	else
		asm volatile("hvc #0"
			     : "+r"(x0)
			     : "r"(x1), "r"(x2), "r"(x3)
			     : "memory");
	return (s64)x0;
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
		s64 ret = hvc(0, PSCI_CPU_ON_64, cmdline_u64("cpu", 0),
			      (u64)secondary_entry, 0);

		print("probe: CPU_ON returned %ld\n", ret);
		verdict(ret < 0, "foreign CPU_ON");
	} else if (equal(act, "root-hypercall")) {
		s64 ret = hvc(1, HC_CELL_CREATE, 0, 0, 0);

		print("probe: cell create hypercall returned %ld\n", ret);
		verdict(ret < 0, "root-only hypercall");
	} else {
		print("probe: unknown act; see demos/probe.c\n");
	}
	print("probe: done\n");
}
