# SPDX-License-Identifier: MIT
# The compiler every EL2 and cell binary is built with: native gcc on an arm64
# host, Debian's aarch64-linux-gnu cross toolchain elsewhere. Override with
# CROSS_COMPILE=...
ifeq ($(shell uname -m),aarch64)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
endif

CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
READELF := $(CROSS_COMPILE)readelf
