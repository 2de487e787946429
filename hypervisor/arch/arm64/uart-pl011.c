/* SPDX-License-Identifier: MIT */
/* Polled PL011 output for the hypervisor console (Linux set it up). */
#include <hv/arch.h>
#include <hv/types.h>
#include <jailhouse/header.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define UART_FR_BUSY (1u << 3)

extern struct jailhouse_header hv_header;
static volatile u32 *uart;

void arch_console_init(void)
{
	uart = (volatile u32 *)hv_header.debug_console_base;
}

void arch_console_putc(char c)
{
	unsigned int spins = 100000;

	if (!uart)
		return;
	while ((uart[UART_FR / 4] & UART_FR_TXFF) && --spins)
		asm volatile("yield");
	uart[UART_DR / 4] = (u8)c;
}
