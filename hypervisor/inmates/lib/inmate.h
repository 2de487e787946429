/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The small bare-metal library our demo inmates share: console output, the
 * command line, the GICv3 and the EL1 virtual timer. Inmates run at EL1 with
 * the MMU off, so every device access is to a physical (cell) address.
 */
#ifndef INMATE_H
#define INMATE_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;

#define NULL ((void *)0)

/* Where `jailhouse cell load -s "..." -a 0x1000` puts the command line. */
#define CMDLINE_OFFSET 0x1000

static inline void mmio_write32(u64 addr, u32 value)
{
	*(volatile u32 *)addr = value;
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

#define read_sysreg(reg)                                                       \
	({                                                                     \
		u64 __value;                                                   \
		asm volatile("mrs %0, " #reg : "=r"(__value));                 \
		__value;                                                       \
	})

#define write_sysreg(reg, value)                                               \
	asm volatile("msr " #reg ", %0" ::"r"((u64)(value)) : "memory")

static inline void isb(void)
{
	asm volatile("isb" ::: "memory");
}

/* console.c */
void console_init(void);
void console_putc(char c);
void print(const char *fmt, ...);

/* cmdline.c */
const char *cmdline(void);
u64 cmdline_u64(const char *key, u64 fallback);
const char *cmdline_str(const char *key, const char *fallback);

/* gic.c */
void gic_init(void);
void gic_enable_ppi(u32 intid);
u32 gic_ack(void);
void gic_eoi(u32 intid);

/* entry.S */
void irqs_enable(void);
void halt(void) __attribute__((noreturn));

/* Called from the IRQ vector with the virtual counter read on entry. */
void handle_irq(u64 counter_on_entry);
void inmate_main(void);

#endif
