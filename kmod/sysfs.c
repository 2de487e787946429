// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * /sys/devices/jailhouse: enabled, pool counters, console, last_error, and
 * cells/<id>/ with name, state and CPU lists (Jailhouse's layout).
 */
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "jailhouse.h"

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", jh_enabled);
}

static ssize_t info_show(char *buf, unsigned int type)
{
	long val = 0;

	if (mutex_lock_interruptible(&jh_lock))
		return -EINTR;
	if (jh_enabled)
		val = jh_hypercall(JAILHOUSE_HC_HYPERVISOR_GET_INFO, type, 0);
	mutex_unlock(&jh_lock);
	if (val < 0)
		return val;
	return sysfs_emit(buf, "%ld\n", val);
}

#define INFO_ATTR(name, type)                                                  \
	static ssize_t name##_show(struct device *dev,                         \
				   struct device_attribute *attr, char *buf)   \
	{                                                                      \
		return info_show(buf, type);                                   \
	}                                                                      \
	static DEVICE_ATTR_RO(name)

INFO_ATTR(mem_pool_size, JAILHOUSE_INFO_MEM_POOL_SIZE);
INFO_ATTR(mem_pool_used, JAILHOUSE_INFO_MEM_POOL_USED);
INFO_ATTR(remap_pool_size, JAILHOUSE_INFO_REMAP_POOL_SIZE);
INFO_ATTR(remap_pool_used, JAILHOUSE_INFO_REMAP_POOL_USED);

/*
 * A NUL-terminated copy of the console ring, oldest byte first, taken under
 * jh_lock; the caller frees it. Its length goes to *len.
 */
static char *console_copy(ssize_t *len)
{
	char *ring = kmalloc(JAILHOUSE_VIRT_CONSOLE_SIZE + 1, GFP_KERNEL);
	u32 tail;

	if (!ring)
		return ERR_PTR(-ENOMEM);
	if (mutex_lock_interruptible(&jh_lock)) {
		kfree(ring);
		return ERR_PTR(-EINTR);
	}
	*len = jh_console_snapshot(ring, JAILHOUSE_VIRT_CONSOLE_SIZE, &tail);
	mutex_unlock(&jh_lock);
	ring[*len] = 0;
	return ring;
}

/* The newest part of the console ring that fits a sysfs page. */
static ssize_t console_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	ssize_t n, skip;
	char *ring = console_copy(&n);

	if (IS_ERR(ring))
		return PTR_ERR(ring);
	skip = n > PAGE_SIZE - 1 ? n - (PAGE_SIZE - 1) : 0;
	memcpy(buf, ring + skip, n - skip);
	kfree(ring);
	return n - skip;
}

static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return jh_last_error[0] ? sysfs_emit(buf, "%s\n", jh_last_error) : 0;
}

static DEVICE_ATTR_RO(enabled);
static DEVICE_ATTR_RO(console);
static DEVICE_ATTR_RO(last_error);

static struct attribute *jh_attrs[] = {
	&dev_attr_enabled.attr,		&dev_attr_mem_pool_size.attr,
	&dev_attr_mem_pool_used.attr,	&dev_attr_remap_pool_size.attr,
	&dev_attr_remap_pool_used.attr, &dev_attr_console.attr,
	&dev_attr_last_error.attr,	NULL,
};

static const struct attribute_group jh_group = {
	.attrs = jh_attrs,
};

/* cells/<id>/ */
static struct kobject *cells_dir;
static struct jh_cell *root_cell;

#define to_cell(k) container_of(k, struct jh_cell, kobj)

static ssize_t name_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_cell(k)->name);
}

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	long s = -1;

	if (mutex_lock_interruptible(&jh_lock))
		return -EINTR;
	if (jh_enabled)
		s = jh_hypercall(JAILHOUSE_HC_CELL_GET_STATE, to_cell(k)->id,
				 0);
	mutex_unlock(&jh_lock);
	return sysfs_emit(buf, "%s\n", jailhouse_cell_state_name(s));
}

static void failed_cpus(struct jh_cell *c, struct cpumask *failed)
{
	int cpu;

	cpumask_clear(failed);
	mutex_lock(&jh_lock);
	if (jh_enabled)
		for_each_cpu (cpu, &c->cpus)
			if (jh_hypercall(JAILHOUSE_HC_CPU_GET_INFO, cpu,
					 JAILHOUSE_CPU_INFO_STATE) ==
			    JAILHOUSE_CPU_FAILED)
				cpumask_set_cpu(cpu, failed);
	mutex_unlock(&jh_lock);
}

static ssize_t cpus_assigned_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return sysfs_emit(buf, "%*pb\n", cpumask_pr_args(&to_cell(k)->cpus));
}

static ssize_t cpus_assigned_list_show(struct kobject *k,
				       struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&to_cell(k)->cpus));
}

static ssize_t cpus_failed_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	struct cpumask failed;

	failed_cpus(to_cell(k), &failed);
	return sysfs_emit(buf, "%*pb\n", cpumask_pr_args(&failed));
}

static ssize_t cpus_failed_list_show(struct kobject *k,
				     struct kobj_attribute *a, char *buf)
{
	struct cpumask failed;

	failed_cpus(to_cell(k), &failed);
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&failed));
}

/*
 * What the cell printed through the debug console: the hypervisor writes
 * each such line as "[<name>] <text>" into its console ring; this shows the
 * text of this cell's lines still in the ring, oldest first.
 */
static ssize_t cell_console_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	struct jh_cell *c = to_cell(k);
	char prefix[JAILHOUSE_CELL_NAME_LEN + 4];
	size_t plen, out = 0;
	ssize_t n;
	char *line, *next;
	char *ring = console_copy(&n);

	if (IS_ERR(ring))
		return PTR_ERR(ring);
	plen = snprintf(prefix, sizeof(prefix), "[%s] ", c->name);
	for (line = ring; line && *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strncmp(line, prefix, plen))
			continue;
		len = strlen(line + plen);
		/* Keep the newest lines if they do not all fit a page. */
		while (out + len + 1 > PAGE_SIZE - 1 && out) {
			char *nl = memchr(buf, '\n', out);
			size_t drop = nl ? nl - buf + 1 : out;

			memmove(buf, buf + drop, out - drop);
			out -= drop;
		}
		if (len + 1 > PAGE_SIZE - 1)
			continue;
		memcpy(buf + out, line + plen, len);
		out += len;
		buf[out++] = '\n';
	}
	kfree(ring);
	return out;
}

static struct kobj_attribute cell_name_attr = __ATTR_RO(name);
static struct kobj_attribute cell_console_attr =
	__ATTR(console, 0444, cell_console_show, NULL);
static struct kobj_attribute cell_state_attr = __ATTR_RO(state);
static struct kobj_attribute cell_cpus_assigned_attr = __ATTR_RO(cpus_assigned);
static struct kobj_attribute cell_cpus_assigned_list_attr =
	__ATTR_RO(cpus_assigned_list);
static struct kobj_attribute cell_cpus_failed_attr = __ATTR_RO(cpus_failed);
static struct kobj_attribute cell_cpus_failed_list_attr =
	__ATTR_RO(cpus_failed_list);

static struct attribute *cell_attrs[] = {
	&cell_name_attr.attr,	       &cell_state_attr.attr,
	&cell_cpus_assigned_attr.attr, &cell_cpus_assigned_list_attr.attr,
	&cell_cpus_failed_attr.attr,   &cell_cpus_failed_list_attr.attr,
	&cell_console_attr.attr,       NULL,
};
ATTRIBUTE_GROUPS(cell);

static void cell_release(struct kobject *k)
{
	kfree(to_cell(k));
}

/*
 * cells/<id>/statistics/: each file is the sum of one counter over the
 * cell's CPUs, read from the hypervisor on every access (Jailhouse's names).
 */
struct jh_stat_attr {
	struct kobj_attribute attr;
	unsigned int index;
};

static ssize_t stat_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct jh_cell *c = container_of(k, struct jh_cell, stats);
	unsigned int index = container_of(a, struct jh_stat_attr, attr)->index;
	unsigned long sum = 0;
	long val;
	int cpu;

	if (mutex_lock_interruptible(&jh_lock))
		return -EINTR;
	if (jh_enabled) {
		for_each_cpu (cpu, &c->cpus) {
			val = jh_hypercall(JAILHOUSE_HC_CPU_GET_INFO, cpu,
					   JAILHOUSE_CPU_INFO_STAT_BASE +
						   index);
			if (val > 0)
				sum += val;
		}
	}
	mutex_unlock(&jh_lock);
	return sysfs_emit(buf, "%lu\n", sum);
}

#define STAT_ATTR(_name, _index)                                               \
	static struct jh_stat_attr stat_##_name = {                            \
		.attr = __ATTR(_name, 0444, stat_show, NULL),                  \
		.index = _index,                                               \
	}

STAT_ATTR(vmexits_total, JAILHOUSE_CPU_STAT_VMEXITS_TOTAL);
STAT_ATTR(vmexits_mmio, JAILHOUSE_CPU_STAT_VMEXITS_MMIO);
STAT_ATTR(vmexits_management, JAILHOUSE_CPU_STAT_VMEXITS_MANAGEMENT);
STAT_ATTR(vmexits_hypercall, JAILHOUSE_CPU_STAT_VMEXITS_HYPERCALL);
STAT_ATTR(vmexits_maintenance, JAILHOUSE_CPU_STAT_VMEXITS_MAINTENANCE);
STAT_ATTR(vmexits_virt_irq, JAILHOUSE_CPU_STAT_VMEXITS_VIRQ);
STAT_ATTR(vmexits_virt_sgi, JAILHOUSE_CPU_STAT_VMEXITS_VSGI);
STAT_ATTR(vmexits_psci, JAILHOUSE_CPU_STAT_VMEXITS_PSCI);
STAT_ATTR(vmexits_smccc, JAILHOUSE_CPU_STAT_VMEXITS_SMCCC);

static struct attribute *stats_attrs[] = {
	&stat_vmexits_total.attr.attr,	     &stat_vmexits_mmio.attr.attr,
	&stat_vmexits_management.attr.attr,  &stat_vmexits_hypercall.attr.attr,
	&stat_vmexits_maintenance.attr.attr, &stat_vmexits_virt_irq.attr.attr,
	&stat_vmexits_virt_sgi.attr.attr,    &stat_vmexits_psci.attr.attr,
	&stat_vmexits_smccc.attr.attr,	     NULL,
};
ATTRIBUTE_GROUPS(stats);

/* The statistics kobject lives inside the cell; it holds a reference on it. */
static void stats_release(struct kobject *k)
{
	kobject_put(&container_of(k, struct jh_cell, stats)->kobj);
}

static struct kobj_type stats_type = {
	.release = stats_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = stats_groups,
};

static struct kobj_type cell_type = {
	.release = cell_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cell_groups,
};

struct jh_cell *jh_sysfs_cell_add(int id, const char *name,
				  const struct cpumask *cpus)
{
	struct jh_cell *c = kzalloc(sizeof(*c), GFP_KERNEL);
	int err;

	if (!c)
		return ERR_PTR(-ENOMEM);
	c->id = id;
	strscpy(c->name, name, sizeof(c->name));
	cpumask_copy(&c->cpus, cpus);
	err = kobject_init_and_add(&c->kobj, &cell_type, cells_dir, "%d",
				   c->id);
	if (err) {
		kobject_put(&c->kobj);
		return ERR_PTR(err);
	}
	kobject_get(&c->kobj);
	err = kobject_init_and_add(&c->stats, &stats_type, &c->kobj,
				   "statistics");
	if (err) {
		kobject_put(&c->stats);
		kobject_put(&c->kobj);
		return ERR_PTR(err);
	}
	kobject_uevent(&c->kobj, KOBJ_ADD);
	return c;
}

void jh_sysfs_cell_remove(struct jh_cell *c)
{
	kobject_put(&c->stats);
	kobject_put(&c->kobj);
}

int jh_sysfs_root_cell_add(const char *name, const struct cpumask *cpus)
{
	struct jh_cell *c = jh_sysfs_cell_add(0, name, cpus);

	if (IS_ERR(c))
		return PTR_ERR(c);
	root_cell = c;
	return 0;
}

/* The root's CPU list changes as cells come and go. */
void jh_sysfs_root_cell_cpus(const struct cpumask *cpus)
{
	if (root_cell)
		cpumask_copy(&root_cell->cpus, cpus);
}

void jh_sysfs_root_cell_remove(void)
{
	if (root_cell) {
		jh_sysfs_cell_remove(root_cell);
		root_cell = NULL;
	}
}

int jh_sysfs_init(struct device *dev)
{
	int err = sysfs_create_group(&dev->kobj, &jh_group);

	if (err)
		return err;
	cells_dir = kobject_create_and_add("cells", &dev->kobj);
	if (!cells_dir) {
		sysfs_remove_group(&dev->kobj, &jh_group);
		return -ENOMEM;
	}
	return 0;
}

void jh_sysfs_exit(struct device *dev)
{
	jh_sysfs_root_cell_remove();
	kobject_put(cells_dir);
	sysfs_remove_group(&dev->kobj, &jh_group);
}
