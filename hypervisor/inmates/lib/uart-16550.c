// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A 16550 UART with byte-wide registers one byte apart, as QEMU's
 * pci-serial shows it in the PCI I/O window. Polled transmit; receive by
 * interrupt when the caller enables it. The baud rate is left alone: an
 * emulated UART ignores it and real ones were set up by firmware.
 */
#include "inmate.h"

#define UART_RBR_THR 0
#define UART_IER 1
#define UART_IER_RX_DATA (1 << 0)
#define UART_FCR 2
#define UART_FCR_ENABLE_CLEAR 0x07 /* FIFOs on and emptied, trigger 1 */
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_MCR 4
#define UART_MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the IRQ on PC designs */
#define UART_LSR 5
#define UART_LSR_DATA_READY (1 << 0)
#define UART_LSR_THR_EMPTY (1 << 5)

void uart16550_init(u64 base)
{
	mmio_write8(base + UART_IER, 0);
	mmio_write8(base + UART_LCR, UART_LCR_8N1);
	mmio_write8(base + UART_FCR, UART_FCR_ENABLE_CLEAR);
	mmio_write8(base + UART_MCR, UART_MCR_DTR_RTS_OUT2);
	while (uart16550_rx_ready(base))
		(void)uart16550_getc(base);
}

void uart16550_putc(u64 base, char c)
{
	while (!(mmio_read8(base + UART_LSR) & UART_LSR_THR_EMPTY))
		;
	mmio_write8(base + UART_RBR_THR, (u8)c);
}

int uart16550_rx_ready(u64 base)
{
	return mmio_read8(base + UART_LSR) & UART_LSR_DATA_READY;
}

char uart16550_getc(u64 base)
{
	return (char)mmio_read8(base + UART_RBR_THR);
}

void uart16550_enable_rx_irq(u64 base)
{
	mmio_write8(base + UART_IER, UART_IER_RX_DATA);
}
