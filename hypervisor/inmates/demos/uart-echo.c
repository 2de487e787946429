// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * UART echo demo: owns a 16550 and its interrupt and answers every line it
 * receives with "echo: " and the line in capitals, on that UART. Receiving
 * is interrupt driven only, so each answer shows the UART's IRQ reached the
 * cell; the console line per answer says through which IRQ and how often.
 * Defaults are the lab's PCI UART: I/O port 0x1000 in QEMU virt's I/O
 * window at 0x3eff0000, INTID 35 ("uart=" and "irq=" override).
 */
#include "inmate.h"

static u64 uart;
static u32 uart_irq;
static u64 interrupts, bytes;
static char line[64];
static unsigned int line_length;

static void uart_puts(const char *s)
{
	for (; *s; s++)
		uart16550_putc(uart, *s);
}

static void answer_line(void)
{
	unsigned int n;

	line[line_length] = '\0';
	print("uart-echo: line \"%s\" via IRQ %u (%lu interrupts, %lu bytes)\n",
	      line, uart_irq, interrupts, bytes);
	uart_puts("echo: ");
	for (n = 0; n < line_length; n++)
		uart16550_putc(uart, line[n] >= 'a' && line[n] <= 'z'
					     ? line[n] - 'a' + 'A'
					     : line[n]);
	uart_puts("\r\n");
	line_length = 0;
}

void handle_irq(u64 counter_on_entry)
{
	u32 intid = gic_ack();

	(void)counter_on_entry;
	if (intid >= 1020)
		return;
	if (intid == uart_irq) {
		interrupts++;
		while (uart16550_rx_ready(uart)) {
			char c = uart16550_getc(uart);

			bytes++;
			if (c == '\r' || c == '\n') {
				if (line_length)
					answer_line();
			} else if (line_length < sizeof(line) - 1) {
				line[line_length++] = c;
			}
		}
	}
	gic_eoi(intid);
}

void inmate_main(void)
{
	console_init();
	uart = cmdline_u64("uart", 0x3eff1000);
	uart_irq = cmdline_u64("irq", 35);
	gic_init();
	uart16550_init(uart);
	gic_enable_spi(uart_irq);
	print("uart-echo: 16550 at 0x%lx, IRQ %u, ready\n", uart, uart_irq);
	uart_puts("uart-echo ready\r\n");
	uart16550_enable_rx_irq(uart);
	irqs_enable();
	for (;;)
		asm volatile("wfi");
}
