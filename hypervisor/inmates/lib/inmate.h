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

static inline void mmio_write8(u64 addr, u8 value)
{
	*(volatile u8 *)addr = value;
}

static inline u8 mmio_read8(u64 addr)
{
	return *(volatile u8 *)addr;
}

static inline void mmio_write64(u64 addr, u64 value)
{
	*(volatile u64 *)addr = value;
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

/* The hypervisor's hypercall: code in x0, argument in x1, result in x0. */
static inline s64 hypercall1(u64 code, u64 arg)
{
	register u64 x0 asm("x0") = code;
	register u64 x1 asm("x1") = arg;

	asm volatile("hvc #0x4a48" /* JAILHOUSE_HVC_IMM */
		     : "+r"(x0)
		     : "r"(x1)
		     : "memory");
	return (s64)x0;
}
#define HYPERCALL_DEBUG_CONSOLE_PUTC 8UL

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
void gic_enable_spi(u32 intid);
u32 gic_ack(void);
void gic_eoi(u32 intid);

/* uart-16550.c: a 16550 with byte-wide registers, as QEMU's pci-serial */
void uart16550_init(u64 base);
void uart16550_putc(u64 base, char c);
int uart16550_rx_ready(u64 base);
char uart16550_getc(u64 base);
void uart16550_enable_rx_irq(u64 base);

/* psci.c: negative return values are PSCI error codes */
s64 psci_cpu_on(u64 mpidr, void (*fn)(void));
s64 psci_affinity_info(u64 mpidr);
void psci_cpu_off(void) __attribute__((noreturn));
s64 psci_version(void);
s64 psci_features(u64 function);
#define PSCI_AFFINITY_OFF 1
#define PSCI_CPU_ON_64 0xc4000003UL
#define PSCI_SYSTEM_RESET 0x84000009UL

/*
 * comm.c: the comm region's messages and the cell state the cell reports.
 * comm_message() says which message is pending (MSG_NONE when there is
 * none); comm_answer() replies to it (a shutdown request approved or denied
 * as told). Whatever the cell wants seen must be printed before it approves
 * a shutdown: the root stops the cell as soon as it reads the reply. A cell
 * locks itself with comm_set_state(CELL_RUNNING_LOCKED): while locked, the
 * root can neither create nor destroy another cell.
 */
#define MSG_NONE 0
#define MSG_SHUTDOWN_REQUEST 1
#define MSG_RECONFIG_COMPLETED 2
#define MSG_UNKNOWN 1
#define MSG_REQUEST_DENIED 2
#define MSG_REQUEST_APPROVED 3
#define MSG_RECEIVED 4
#define CELL_RUNNING 0
#define CELL_RUNNING_LOCKED 1
#define CELL_SHUT_DOWN 2
#define CELL_FAILED 3
u32 comm_message(void);
void comm_reply(u32 reply);
void comm_answer(u32 msg, int approve_shutdown);
void comm_set_state(u32 state);
u32 comm_state(void);

/* entry.S */
void irqs_enable(void);
void halt(void) __attribute__((noreturn));

/* Called from the IRQ vector with the virtual counter read on entry. */
void handle_irq(u64 counter_on_entry);
void inmate_main(void);

#endif
