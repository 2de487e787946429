// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * UART demo: says hello once a second ("period-ms=" changes that),
 * numbered, so the root can see that the cell runs ("count=N" stops after
 * N lines).
 */
#include "inmate.h"

void handle_irq(u64 counter_on_entry)
{
	(void)counter_on_entry;
}

void inmate_main(void)
{
	u64 period, next, count, lines;

	console_init();
	period = read_sysreg(cntfrq_el0) * cmdline_u64("period-ms", 1000) / 1000;
	lines = cmdline_u64("count", 0);
	next = read_sysreg(cntvct_el0);
	for (count = 1; !lines || count <= lines; count++) {
		print("uart-hello: hello %lu from a cell\n", count);
		next += period;
		while (read_sysreg(cntvct_el0) < next)
			;
	}
	print("uart-hello: done\n");
}
