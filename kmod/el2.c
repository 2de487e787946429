// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Getting at EL2 on a stock arm64 kernel: detection of a usable Linux hyp
 * stub, and entering/leaving the hypervisor on each CPU. Only exported
 * kernel interfaces are used; EL2 code is never executed at EL1.
 */
#include <linux/cpu.h>
#include <linux/namei.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>

#include "jailhouse.h"

struct jh_call {
	u64 x0, x1, x2, x3, x4;
	u64 result;
	bool hypercall;
};

static void jh_call_on_cpu(void *data)
{
	struct jh_call *c = data;

	if (c->hypercall)
		c->result = jh_hypercall(c->x0, c->x1, c->x2);
	else
		c->result = jh_stub_hvc(c->x0, c->x1, c->x2, c->x3, c->x4);
}

static u64 jh_stub_call(int cpu, u64 x0, u64 x1, u64 x2, u64 x3, u64 x4)
{
	struct jh_call c = { x0, x1, x2, x3, x4, 0, false };

	smp_call_function_single(cpu, jh_call_on_cpu, &c, 1);
	return c.result;
}

static long jh_hypercall_on(int cpu, u64 code, u64 arg1, u64 arg2)
{
	struct jh_call c = { code, arg1, arg2, 0, 0, 0, true };

	smp_call_function_single(cpu, jh_call_on_cpu, &c, 1);
	return (long)c.result;
}

/*
 * KVM in nVHE mode hands EL2 back to the stub while no VM exists, so the
 * stub probe below cannot see it. But the next VM would send its EL2 set-up
 * calls into our hypervisor. KVM registers /dev/kvm only once it has
 * initialised EL2, so its presence is the tell.
 */
static bool jh_kvm_present(void)
{
	static const char *const names[] = { "/sys/class/misc/kvm",
					     "/dev/kvm" };
	struct path path;
	int n;

	for (n = 0; n < ARRAY_SIZE(names); n++) {
		if (!kern_path(names[n], LOOKUP_FOLLOW, &path)) {
			path_put(&path);
			return true;
		}
	}
	return false;
}

/*
 * Pre-flight: is there an EL2 we can take? Must be called with CPU hotplug
 * blocked. The stub probe is the only hvc sent before we know who answers.
 */
int jh_check_el2(void)
{
	u64 pfr0 = read_sysreg_s(SYS_ID_AA64PFR0_EL1);
	u64 el = read_sysreg(CurrentEL) >> 2;
	int cpu;

	if (el == 2)
		return jh_fail(
			-EBUSY,
			"Linux itself runs at EL2 (VHE), so there is no EL2 for the hypervisor; boot with id_aa64mmfr1.vh=0 and kvm-arm.mode=none");
	if (el != 1)
		return jh_fail(-ENODEV, "unexpected CurrentEL %llu", el);
	if (!((pfr0 >> JH_PFR0_EL2_SHIFT) & JH_ID_FIELD_MASK))
		return jh_fail(
			-ENODEV,
			"this CPU has no EL2 (ID_AA64PFR0_EL1.EL2 is 0): not started at EL2, cannot host a hypervisor");

	if (jh_kvm_present())
		return jh_fail(
			-EBUSY,
			"KVM owns EL2 (/dev/kvm exists): it would take EL2 back for its next VM; boot with kvm-arm.mode=none");

	for_each_online_cpu(cpu)
	{
		u64 r = jh_stub_call(cpu, JH_STUB_PROBE_CODE, 0, 0, 0, 0);

		if (r != JH_HVC_STUB_ERR)
			return jh_fail(
				-EBUSY,
				"EL2 on CPU %d is not the Linux hyp stub (probe answered 0x%llx, expected 0x%lx): KVM or another hypervisor owns EL2; boot with kvm-arm.mode=none",
				cpu, r, JH_HVC_STUB_ERR);
	}
	return 0;
}

/*
 * Enter the hypervisor on each CPU of @cpus, one after the other. The first
 * CPU also initialises the hypervisor. Returns 0 or the first error; the CPUs
 * that did enter are in @entered.
 */
int jh_enter_cpus(const struct cpumask *cpus, u64 entry_pa,
		  struct cpumask *entered)
{
	int cpu;

	cpumask_clear(entered);
	for_each_cpu (cpu, cpus) {
		long r = (long)jh_stub_call(cpu, JH_HVC_SOFT_RESTART, entry_pa,
					    0, cpu, 0);

		if (r)
			return jh_fail(
				r < 0 ? (int)r : -EIO,
				"CPU %d did not enter the hypervisor (%ld); the hypervisor console says why (jailhouse console)",
				cpu, r);
		cpumask_set_cpu(cpu, entered);
	}
	return 0;
}

/*
 * DISABLE on each CPU of @cpus; then check that the Linux stub answers
 * again (our hypercall must come back with the stub's error code).
 */
int jh_leave_cpus(const struct cpumask *cpus)
{
	int cpu, err = 0;

	for_each_cpu (cpu, cpus) {
		long r = jh_hypercall_on(cpu, JAILHOUSE_HC_DISABLE, 0, 0);

		if (r) {
			err = jh_fail(
				(int)r,
				"CPU %d refused to leave the hypervisor (%ld)",
				cpu, r);
			continue;
		}
		r = jh_hypercall_on(cpu, JAILHOUSE_HC_HYPERVISOR_GET_INFO,
				    JAILHOUSE_INFO_NUM_CELLS, 0);
		if ((u64)r != JH_HVC_STUB_ERR)
			err = jh_fail(
				-EIO,
				"CPU %d: the Linux hyp stub did not come back (0x%lx)",
				cpu, r);
	}
	return err;
}
