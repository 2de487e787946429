// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * UART demo: says hello once a second ("period-ms=" changes that),
 * numbered, so the root can see that the cell runs ("count=N" stops after
 * N lines).
 */
#include "inmate.h"

#define VIRTUAL_TIMER_PPI 27
#define CNTV_CTL_ENABLE 1

void handle_irq(u64 counter_on_entry)
{
	(void)counter_on_entry;
}

/*
 * Sleep in WFI until the virtual timer reaches @deadline. Interrupts stay
 * masked: a pending timer interrupt still ends the WFI, and is then taken
 * off the GIC by hand. Spinning on the counter instead would keep a whole
 * (emulated) CPU busy for nothing.
 */
static void sleep_until(u64 deadline)
{
	u32 intid;

	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	while (read_sysreg(cntvct_el0) < deadline)
		asm volatile("wfi");
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	while ((intid = gic_ack()) < 1020)
		gic_eoi(intid);
}

void inmate_main(void)
{
	u64 period, next, count, lines;

	console_init();
	period =
		read_sysreg(cntfrq_el0) * cmdline_u64("period-ms", 1000) / 1000;
	lines = cmdline_u64("count", 0);
	gic_init();
	gic_enable_ppi(VIRTUAL_TIMER_PPI);
	next = read_sysreg(cntvct_el0);
	for (count = 1; !lines || count <= lines; count++) {
		print("uart-hello: hello %lu from a cell\n", count);
		next += period;
		sleep_until(next);
	}
	print("uart-hello: done\n");
}
