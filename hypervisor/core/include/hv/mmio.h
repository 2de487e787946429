/* SPDX-License-Identifier: MIT */
/*
 * Device register access of a given width. volatile keeps each access a
 * single load or store of exactly that size, as device registers need.
 */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include <hv/types.h>

static inline u64 mmio_read(u64 addr, unsigned int size)
{
	switch (size) {
	case 1:
		return *(volatile u8 *)addr;
	case 2:
		return *(volatile u16 *)addr;
	case 4:
		return *(volatile u32 *)addr;
	default:
		return *(volatile u64 *)addr;
	}
}

static inline void mmio_write(u64 addr, unsigned int size, u64 value)
{
	switch (size) {
	case 1:
		*(volatile u8 *)addr = (u8)value;
		break;
	case 2:
		*(volatile u16 *)addr = (u16)value;
		break;
	case 4:
		*(volatile u32 *)addr = (u32)value;
		break;
	default:
		*(volatile u64 *)addr = value;
	}
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write32(u64 addr, u32 value)
{
	*(volatile u32 *)addr = value;
}

#endif
