/* SPDX-License-Identifier: MIT */
/*
 * EL2 entry, exception vectors and the way back to Linux.
 *
 * The driver enters each CPU through the Linux hyp stub (HVC_SOFT_RESTART)
 * with x1 = logical CPU id. We arrive at EL2 with the MMU off, SP_EL2 unset,
 * VBAR_EL2 = the stub's vectors and ELR/SPSR_EL2 = the caller's return state.
 * x0-x17 are ours to clobber (the caller treats the hvc as a function call);
 * x18-x30 and SP_EL1 must come back unchanged.
 *
 * All hypervisor code runs identity mapped, so it is position independent:
 * only PC-relative addressing, no absolute pointers anywhere.
 */
#include <hv/layout.h>
#include <jailhouse/header.h>
#include <jailhouse/console.h>
#include <asm/sysregs.h>

/*
 * The trap frame at SP: x0-x30 in pairs, x0/x1 first. x0/x1 are saved by
 * the vector itself (it needs them for the exception type) and restored
 * last, so these move only x2-x30: \pair is stp or ldp, \single (for x30,
 * which has no partner) str or ldr, so that saving and restoring cannot
 * disagree on the layout.
 */
.macro frame_x2_x30 pair, single
	\pair	x2, x3, [sp, #16 * 1]
	\pair	x4, x5, [sp, #16 * 2]
	\pair	x6, x7, [sp, #16 * 3]
	\pair	x8, x9, [sp, #16 * 4]
	\pair	x10, x11, [sp, #16 * 5]
	\pair	x12, x13, [sp, #16 * 6]
	\pair	x14, x15, [sp, #16 * 7]
	\pair	x16, x17, [sp, #16 * 8]
	\pair	x18, x19, [sp, #16 * 9]
	\pair	x20, x21, [sp, #16 * 10]
	\pair	x22, x23, [sp, #16 * 11]
	\pair	x24, x25, [sp, #16 * 12]
	\pair	x26, x27, [sp, #16 * 13]
	\pair	x28, x29, [sp, #16 * 14]
	\single	x30, [sp, #16 * 15]
.endm

.macro frame_save_x2_x30
	frame_x2_x30 stp, str
.endm

.macro frame_restore_x2_x30
	frame_x2_x30 ldp, ldr
.endm

/* 1 GiB block descriptors of the bootstrap table (stage 1, EL2) */
#define BOOT_BLOCK_NORMAL 0x701 /* valid block, AttrIdx0, ISH, AF */

	.section .header, "a"
	.globl hv_header
hv_header:
	.ascii JAILHOUSE_SIGNATURE
	.quad __core_end - hv_header		/* core_size */
	.quad HV_PERCPU_SIZE			/* percpu_size */
	.quad el2_entry - hv_header		/* entry */
	.quad hv_console - hv_header		/* console_page */
	.quad 0					/* gcov_info_head */
	.word 0					/* max_cpus (driver) */
	.word 0					/* online_cpus (driver) */
	.quad 0					/* debug_console_base */
	.quad 0					/* arm_linux_hyp_vectors */
	.word JH_HYP_STUB_ABI_OPCODE		/* arm_linux_hyp_abi */
	.word JAILHOUSE_VIRT_CONSOLE_AREA	/* console_size */

	.section .text.entry, "ax"
	.globl el2_entry
el2_entry:
	adr	x16, hv_header
	ldr	w9, [x16, #JH_HDR_MAX_CPUS]
	cmp	x1, x9
	b.hs	.Lbad_cpu
	mov	x17, x1

	/* Bootstrap table: identity 1 GiB blocks over the image's GiB and the
	 * next one. Written with the MMU off, then invalidated to PoC so no
	 * stale cache line can shadow it once the walker reads cacheably. */
	adrp	x10, hv_boot_pt
	add	x10, x10, :lo12:hv_boot_pt
	lsr	x11, x16, #30
	lsl	x12, x11, #30
	mov	x13, #BOOT_BLOCK_NORMAL
	orr	x12, x12, x13
	add	x14, x10, x11, lsl #3
	str	x12, [x14]
	mov	x13, #(1 << 30)
	add	x12, x12, x13
	str	x12, [x14, #8]
	dsb	sy
	dc	ivac, x14
	add	x15, x14, #8
	dc	ivac, x15
	dsb	sy

	ldr	x9, =MAIR_EL2_VALUE
	msr	mair_el2, x9
	mrs	x9, id_aa64mmfr0_el1
	and	x9, x9, #7
	cmp	x9, #5			/* TCR_EL2.PS has no 52-bit code here */
	mov	x11, #5
	csel	x9, x9, x11, ls
	ldr	x11, =TCR_EL2_BASE
	orr	x11, x11, x9, lsl #TCR_PS_SHIFT
	msr	tcr_el2, x11
	msr	ttbr0_el2, x10
	isb
	tlbi	alle2
	dsb	nsh
	isb
	mrs	x9, sctlr_el2
	ldr	x11, =(SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA)
	orr	x9, x9, x11
	bic	x9, x9, #SCTLR_A
	bic	x9, x9, #SCTLR_WXN
	msr	sctlr_el2, x9
	isb
	ic	iallu
	dsb	nsh
	isb

	/* Per-CPU area and stack: __core_end + cpu * HV_PERCPU_SIZE */
	adrp	x9, __core_end
	add	x9, x9, :lo12:__core_end
	mov	x10, #HV_PERCPU_SIZE
	madd	x9, x17, x10, x9
	msr	tpidr_el2, x9
	add	x10, x9, x10
	mov	sp, x10

	/* Linux's registers as a trap frame, so returning is "vm_return". */
	sub	sp, sp, #HV_FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	frame_save_x2_x30

	mov	x0, x17			/* cpu id */
	mrs	x1, tpidr_el2		/* struct per_cpu * */
	mrs	x2, vbar_el2		/* the stub's vectors */
	mov	x3, sp			/* frame */
	bl	hv_entry
	/* hv_entry put the caller's result in frame x0. Non-zero return:
	 * the CPU was not taken over; hand it back untouched. */
	cbnz	x0, .Lentry_failed
	b	vm_return

.Lentry_failed:
	mov	x0, sp
	mrs	x1, vbar_el2
	b	hv_return_to_linux

.Lbad_cpu:
	mov	x0, #-22		/* -EINVAL */
	eret

	.ltorg

/*
 * hv_return_to_linux(frame, vbar): give the CPU back to Linux. Cleans the
 * frame to PoC, restores VBAR_EL2, turns the EL2 MMU and caches off (we run
 * identity mapped, so execution continues) and returns with the frame.
 * The caller has already reset HCR_EL2 and VTTBR_EL2.
 */
	.globl hv_return_to_linux
hv_return_to_linux:
	msr	vbar_el2, x1
	mrs	x4, ctr_el0
	ubfx	x4, x4, #16, #4
	mov	x5, #4
	lsl	x5, x5, x4
	sub	x6, x5, #1
	bic	x2, x0, x6
	add	x3, x0, #HV_FRAME_SIZE
1:	dc	civac, x2
	add	x2, x2, x5
	cmp	x2, x3
	b.lo	1b
	dsb	sy
	mrs	x2, sctlr_el2
	ldr	x3, =(SCTLR_M | SCTLR_C | SCTLR_I)
	bic	x2, x2, x3
	msr	sctlr_el2, x2
	isb
	tlbi	alle2
	dsb	nsh
	isb
	msr	ttbr0_el2, xzr
	mov	sp, x0
	frame_restore_x2_x30
	ldp	x0, x1, [sp, #16 * 0]
	eret

	.ltorg

/* Restore the guest frame at SP and return to the guest. */
	.globl vm_return
vm_return:
	frame_restore_x2_x30
	ldp	x0, x1, [sp, #16 * 0]
	add	sp, sp, #HV_FRAME_SIZE
	eret

/* Save the rest of the guest frame (x0/x1 and the type are already done). */
guest_trap:
	frame_save_x2_x30
	mov	x1, x0
	mov	x0, sp
	bl	arch_handle_trap
	b	vm_return

/* Exceptions taken at EL2 itself: a hypervisor bug. Dump and stop. */
hyp_trap:
	frame_save_x2_x30
	mov	x1, x0
	mov	x0, sp
	bl	arch_hyp_fault
1:	wfi
	b	1b

.macro ventry target, type
	.balign 0x80
	sub	sp, sp, #HV_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #\type
	b	\target
.endm

	.text
	.balign 0x800
	.globl hv_vectors
hv_vectors:
	ventry	hyp_trap, 0	/* current EL, SP0 */
	ventry	hyp_trap, 1
	ventry	hyp_trap, 2
	ventry	hyp_trap, 3
	ventry	hyp_trap, 0	/* current EL, SPx */
	ventry	hyp_trap, 1
	ventry	hyp_trap, 2
	ventry	hyp_trap, 3
	ventry	guest_trap, 0	/* lower EL, AArch64 */
	ventry	guest_trap, 1
	ventry	guest_trap, 2
	ventry	guest_trap, 3
	ventry	guest_trap, 4	/* lower EL, AArch32: not supported */
	ventry	guest_trap, 5
	ventry	guest_trap, 6
	ventry	guest_trap, 7
