// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Timer demo: the EL1 virtual timer at 10 Hz; each tick prints how late the
 * interrupt arrived (counter on IRQ entry minus the programmed deadline) with
 * the running minimum and maximum. "ticks=N" stops after N ticks with a
 * summary line, for benchmarks. A shutdown request from the hypervisor is
 * approved, and the news that another cell came or went is acknowledged, at
 * the next tick.
 */
#include "inmate.h"

#define VIRTUAL_TIMER_PPI 27
#define CNTV_CTL_ENABLE 1

static u64 frequency, period, deadline, ticks_wanted, ticks;
static u64 min_ns = ~0ul, max_ns, sum_ns;

static u64 counter_to_ns(u64 counts)
{
	return counts * 1000000000ul / frequency;
}

static void arm_timer(void)
{
	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

void handle_irq(u64 counter_on_entry)
{
	u32 intid = gic_ack();
	u64 latency;
	u32 msg;

	if (intid != VIRTUAL_TIMER_PPI) {
		if (intid < 1020)
			gic_eoi(intid);
		return;
	}
	latency = counter_to_ns(counter_on_entry - deadline);
	ticks++;
	sum_ns += latency;
	if (latency < min_ns)
		min_ns = latency;
	if (latency > max_ns)
		max_ns = latency;
	print("timer-demo: tick %lu latency %lu ns (min %lu, max %lu)\n", ticks,
	      latency, min_ns, max_ns);
	deadline += period;
	msg = comm_message();
	if (msg == MSG_SHUTDOWN_REQUEST)
		print("timer-demo: shutdown request approved at tick %lu\n",
		      ticks);
	else if (msg == MSG_RECONFIG_COMPLETED)
		print("timer-demo: reconfiguration noted at tick %lu\n", ticks);
	comm_answer(msg, 1);
	if (ticks_wanted && ticks >= ticks_wanted) {
		write_sysreg(cntv_ctl_el0, 0);
		gic_eoi(intid);
		print("timer-demo: done ticks=%lu min_ns=%lu max_ns=%lu mean_ns=%lu\n",
		      ticks, min_ns, max_ns, sum_ns / ticks);
		return;
	}
	arm_timer();
	gic_eoi(intid);
}

void inmate_main(void)
{
	console_init();
	frequency = read_sysreg(cntfrq_el0);
	period = frequency / cmdline_u64("hz", 10);
	ticks_wanted = cmdline_u64("ticks", 0);
	print("timer-demo: virtual timer at %lu Hz, counter %lu Hz\n",
	      frequency / period, frequency);
	gic_init();
	gic_enable_ppi(VIRTUAL_TIMER_PPI);
	deadline = read_sysreg(cntvct_el0) + period;
	arm_timer();
	irqs_enable();
	for (;;)
		asm volatile("wfi");
}
