/* SPDX-License-Identifier: MIT */
/*
 * Firmware header of jailhouse.bin: the first bytes of the image. The build
 * fills the sizes and offsets, the driver fills the CPU counts, and the
 * hypervisor records the Linux hyp-stub vector base it found at entry.
 * Field order and sizes follow Jailhouse's header so tools can read both.
 */
#ifndef JAILHOUSE_HEADER_H
#define JAILHOUSE_HEADER_H

#define JAILHOUSE_SIGNATURE "JAILHOUS"
#define JAILHOUSE_SIGNATURE_LEN 8

/* Byte offsets, shared with the assembly that emits the header. */
#define JH_HDR_SIGNATURE 0
#define JH_HDR_CORE_SIZE 8
#define JH_HDR_PERCPU_SIZE 16
#define JH_HDR_ENTRY 24
#define JH_HDR_CONSOLE_PAGE 32
#define JH_HDR_GCOV_INFO 40
#define JH_HDR_MAX_CPUS 48
#define JH_HDR_ONLINE_CPUS 52
#define JH_HDR_DEBUG_CONSOLE_BASE 56
#define JH_HDR_LINUX_HYP_VECTORS 64
#define JH_HDR_LINUX_HYP_ABI 72
#define JH_HDR_CONSOLE_SIZE 76
#define JH_HDR_SIZE 80

/* arm_linux_hyp_abi: the stub takes the call number in x0 (Linux >= 4.12). */
#define JH_HYP_STUB_ABI_OPCODE 1

#ifndef __ASSEMBLY__
struct jailhouse_header {
	char signature[JAILHOUSE_SIGNATURE_LEN];
	/* Bytes from the image start to the first per-CPU area. */
	__u64 core_size;
	/* Bytes per CPU; the system config follows max_cpus of them. */
	__u64 percpu_size;
	/* Offset of the EL2 entry, reached through HVC_SOFT_RESTART. */
	__u64 entry;
	/* Offset of the console ring (struct jailhouse_virt_console). */
	__u64 console_page;
	__u64 gcov_info_head;
	/* Set by the driver: CPU areas to reserve, CPUs to be entered. */
	__u32 max_cpus;
	__u32 online_cpus;
	/* Physical address of the debug UART, set by the hypervisor. */
	__u64 debug_console_base;
	/* Physical base of the Linux hyp-stub vectors, set at first entry. */
	__u64 arm_linux_hyp_vectors;
	__u32 arm_linux_hyp_abi;
	/* Bytes of the console ring area (a multiple of the page size). */
	__u32 console_size;
} __attribute__((packed));
#endif

#endif
