/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Entry at EL1, MMU off, from a cell's CPU reset or a bare QEMU boot. Code is
 * position independent: the same image runs linked at the cell's address 0.
 */
	.section .boot, "ax"
	.global _start
_start:
	/* What the CPU came with, for the isolation probe (cpu-state act). */
	mrs	x1, vbar_el1
	adr	x2, entry_vbar_el1
	str	x1, [x2]
	adr	x0, stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	/* FP/SIMD on: the compiler may use it for copies. */
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
	adr	x0, __bss_start
	adr	x1, __bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	inmate_main
	b	halt

/*
 * Where a CPU started by psci_cpu_on() enters, with x0 = the C function to
 * run. There is one secondary stack: one sibling CPU at a time.
 */
	.global secondary_start
secondary_start:
	adr	x1, secondary_stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	blr	x0
	b	halt

	.text
	.global irqs_enable
irqs_enable:
	msr	daifclr, #2
	ret

	.global halt
halt:
	msr	daifset, #0xf
3:	wfi
	b	3b

/* Saves what the C calling convention lets a callee clobber. */
.macro save_caller_saved
	stp	x2, x3, [sp, #-16]!
	stp	x4, x5, [sp, #-16]!
	stp	x6, x7, [sp, #-16]!
	stp	x8, x9, [sp, #-16]!
	stp	x10, x11, [sp, #-16]!
	stp	x12, x13, [sp, #-16]!
	stp	x14, x15, [sp, #-16]!
	stp	x16, x17, [sp, #-16]!
	stp	x18, x29, [sp, #-16]!
	str	x30, [sp, #-16]!
.endm

.macro restore_caller_saved
	ldr	x30, [sp], #16
	ldp	x18, x29, [sp], #16
	ldp	x16, x17, [sp], #16
	ldp	x14, x15, [sp], #16
	ldp	x12, x13, [sp], #16
	ldp	x10, x11, [sp], #16
	ldp	x8, x9, [sp], #16
	ldp	x6, x7, [sp], #16
	ldp	x4, x5, [sp], #16
	ldp	x2, x3, [sp], #16
.endm

.macro unexpected_vector kind
	.balign	0x80
	mov	x0, #\kind
	b	unexpected_exception
.endm

	.balign	0x800
vectors:
	/* Current EL with SP0: never used. */
	unexpected_vector 0
	unexpected_vector 1
	unexpected_vector 2
	unexpected_vector 3
	/* Current EL with SPx. */
	unexpected_vector 4
	.balign	0x80
irq_vector:
	/* The counter is read second thing, so a tick's latency is the path to here. */
	stp	x0, x1, [sp, #-16]!
	mrs	x0, cntvct_el0
	save_caller_saved
	bl	handle_irq
	restore_caller_saved
	ldp	x0, x1, [sp], #16
	eret
	unexpected_vector 6
	unexpected_vector 7
	/* Lower EL: inmates have none. */
	unexpected_vector 8
	unexpected_vector 9
	unexpected_vector 10
	unexpected_vector 11
	unexpected_vector 12
	unexpected_vector 13
	unexpected_vector 14
	unexpected_vector 15

unexpected_exception:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	report_exception
	b	halt

	.data
	.balign	8
	.global entry_vbar_el1
entry_vbar_el1:
	.quad	0

	.bss
	.balign	16
	.space	16384
stack_top:
	.space	4096
secondary_stack_top:
