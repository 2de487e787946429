/* SPDX-License-Identifier: MIT */
/*
 * Memory layout of the hypervisor region (shared by C and assembly):
 *   [image: header, text, data, console ring, bss]   core_size
 *   [per-CPU area 0 .. max_cpus-1]                    HV_PERCPU_SIZE each
 *   [system config copy]
 *   [page pool .. end of hypervisor_memory]
 * Everything runs identity mapped (virtual == physical) at EL2, so the image
 * is position independent and works wherever the config places it.
 */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H

#define HV_PAGE_SIZE 0x1000
#define HV_PAGE_SHIFT 12
#define HV_PAGE_OFFSET_MASK (HV_PAGE_SIZE - 1) /* the bits within a page */

/* Per-CPU area: struct per_cpu at the bottom, the stack grows down from top. */
#define HV_PERCPU_SIZE 0x4000
#define HV_STACK_MIN 0x2000

/* Trap frame: x0..x30 plus one pad word, 16-byte aligned. */
#define HV_FRAME_SIZE 256

#define HV_MAX_CPUS 64

#endif
