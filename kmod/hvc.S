/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The only EL1 code that talks to EL2. Both are plain AAPCS calls:
 * x0-x17 may change, everything else is preserved by the other side.
 */
#include <linux/linkage.h>
#include <jailhouse/hypercall.h>

/* u64 jh_stub_hvc(u64 x0, u64 x1, u64 x2, u64 x3, u64 x4): Linux hyp stub */
SYM_FUNC_START(jh_stub_hvc)
	hvc	#0
	ret
SYM_FUNC_END(jh_stub_hvc)

/* long jh_hypercall(u64 code, u64 arg1, u64 arg2): our hypervisor */
SYM_FUNC_START(jh_hypercall)
	hvc	#JAILHOUSE_HVC_IMM
	ret
SYM_FUNC_END(jh_hypercall)
