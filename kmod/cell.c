// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Non-root cells: the CELL_CREATE, CELL_LOAD, CELL_START and CELL_DESTROY
 * ioctls. Linux hands a cell's CPUs over by taking them offline (the
 * hypervisor keeps them parked in PSCI CPU_OFF) and gets them back by
 * bringing them online again after destroy. Cell memory is loaded while
 * the hypervisor lends it back to us (SET_LOADABLE).
 */
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <jailhouse/ioctl.h>
#include "jailhouse.h"

#define JH_MAX_CELL_CONFIG (64 * 1024)
#define JH_MAX_IMAGES 64

static LIST_HEAD(cells);

static const char *state_name(struct jh_cell *c)
{
	return jailhouse_cell_state_name(
		jh_hypercall(JAILHOUSE_HC_CELL_GET_STATE, c->id, 0));
}

/*
 * A management step (@what: create, load, start, destroy) the hypervisor
 * refused with @ret, put in words for last_error. What a cell said is named:
 * a denied shutdown request (EPERM) with the state the cell reports, a lock
 * (EBUSY) naming the locked cell, a request the cell did not answer in time
 * (ETIMEDOUT); anything else points to the hypervisor console. @c is the
 * cell the step was for (NULL for a create, @name then names the new one).
 * Returns the error for the caller to pass on.
 */
static int refused(long ret, struct jh_cell *c, const char *what,
		   const char *name)
{
	struct jh_cell *other;

	if (ret == -EPERM && c)
		return jh_fail(
			-EPERM,
			"cell \"%s\" refused shutdown (%s); nothing was changed",
			c->name, state_name(c));
	if (ret == -EBUSY)
		list_for_each_entry (other, &cells, list)
			if (other != c &&
			    jh_hypercall(JAILHOUSE_HC_CELL_GET_STATE, other->id,
					 0) == JAILHOUSE_CELL_RUNNING_LOCKED)
				return jh_fail(
					-EBUSY,
					"cannot %s cell \"%s\": cell \"%s\" is running/locked; try again when it unlocks",
					what, name, other->name);
	if (ret == -ETIMEDOUT && c)
		return jh_fail(
			-ETIMEDOUT,
			"cell \"%s\" did not answer in time (the shutdown request or the stop of its CPUs) and is now %s; nothing else was changed: destroy it or load it again",
			c->name, state_name(c));
	return jh_fail(
		(int)ret,
		"the hypervisor refused to %s cell \"%s\" (%ld); the hypervisor console says why",
		what, name, ret);
}

bool jh_cells_exist(void)
{
	return !list_empty(&cells);
}

static struct jh_cell *find_cell(const struct jailhouse_cell_id *cell_id)
{
	struct jh_cell *c;

	list_for_each_entry (c, &cells, list) {
		if (cell_id->id != JAILHOUSE_CELL_ID_UNUSED) {
			if (c->id == cell_id->id)
				return c;
		} else if (!strncmp(c->name, cell_id->name,
				    JAILHOUSE_CELL_ID_NAMELEN + 1)) {
			return c;
		}
	}
	return NULL;
}

static void update_root_cpus(void)
{
	struct cpumask root;
	struct jh_cell *c;

	cpumask_copy(&root, &jh_root_cpus);
	list_for_each_entry (c, &cells, list)
		cpumask_andnot(&root, &root, &c->cpus);
	jh_sysfs_root_cell_cpus(&root);
}

/* Bring CPUs back to Linux; a CPU that refuses is reported, not fatal. */
static void online_cpus(const struct cpumask *cpus)
{
	int cpu, err;

	for_each_cpu (cpu, cpus) {
		err = add_cpu(cpu);
		if (err)
			pr_err("jailhouse: CPU %d did not come back online (%d)\n",
			       cpu, err);
	}
}

/* The cell configuration from user space, its header checked. */
static struct jailhouse_cell_desc *
copy_cell_config(struct jailhouse_cell_create __user *arg)
{
	struct jailhouse_cell_create req;
	struct jailhouse_cell_desc *config;
	int err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return ERR_PTR(-EFAULT);
	if (req.config_size < sizeof(*config) ||
	    req.config_size > JH_MAX_CELL_CONFIG)
		return ERR_PTR(jh_fail(-EINVAL,
				       "cell configuration size %u is invalid",
				       req.config_size));
	config = memdup_user((void __user *)(unsigned long)req.config_address,
			     req.config_size);
	if (IS_ERR(config))
		return config;
	if (memcmp(config->signature, JAILHOUSE_CELL_DESC_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE))
		err = jh_fail(
			-EINVAL,
			"not a cell configuration (signature is not JHCLL)");
	else if (config->revision != JAILHOUSE_CONFIG_REVISION)
		err = jh_fail(
			-EINVAL,
			"cell configuration revision %u, this driver needs revision %u",
			config->revision, JAILHOUSE_CONFIG_REVISION);
	else if (jailhouse_cell_config_size(config) != req.config_size)
		err = jh_fail(
			-EINVAL,
			"cell configuration is %u bytes, its header says %llu",
			req.config_size,
			(u64)jailhouse_cell_config_size(config));
	else
		err = 0;
	if (err) {
		kfree(config);
		return ERR_PTR(err);
	}
	config->name[JAILHOUSE_CELL_NAME_LEN - 1] = 0;
	return config;
}

/*
 * The CPUs a new cell takes, in @cpus: root cell CPUs that are online, no
 * other cell's, and never the root's last one. Called with jh_lock held.
 */
static int new_cell_cpus(const struct jailhouse_cell_desc *config,
			 struct cpumask *cpus)
{
	const u8 *set = (const u8 *)(config + 1);
	struct jh_cell *c;
	unsigned int n;

	cpumask_clear(cpus);
	for (n = 0; n < config->cpu_set_size * 8; n++) {
		if (!(set[n / 8] & (1 << (n % 8))))
			continue;
		if (n >= nr_cpu_ids || !cpumask_test_cpu(n, &jh_root_cpus))
			return jh_fail(-EINVAL, "CPU %u is not a root cell CPU",
				       n);
		cpumask_set_cpu(n, cpus);
	}
	if (cpumask_empty(cpus))
		return jh_fail(-EINVAL, "cell \"%s\" has no CPUs",
			       config->name);
	list_for_each_entry (c, &cells, list) {
		if (cpumask_intersects(&c->cpus, cpus))
			return jh_fail(-EBUSY,
				       "CPUs %*pbl belong to cell \"%s\"",
				       cpumask_pr_args(&c->cpus), c->name);
	}
	if (!cpumask_subset(cpus, cpu_online_mask))
		return jh_fail(-EBUSY,
			       "cell CPUs %*pbl must be online (online: %*pbl)",
			       cpumask_pr_args(cpus),
			       cpumask_pr_args(cpu_online_mask));
	if (cpumask_subset(cpu_online_mask, cpus))
		return jh_fail(-EBUSY,
			       "the root cell must keep at least one CPU");
	return 0;
}

/* Takes @cpus from Linux; those it took are in @taken, also on failure. */
static int offline_cpus(const struct cpumask *cpus, struct cpumask *taken)
{
	int cpu, err;

	cpumask_clear(taken);
	for_each_cpu (cpu, cpus) {
		err = remove_cpu(cpu);
		if (err)
			return jh_fail(err,
				       "CPU %d could not be taken offline (%d)",
				       cpu, err);
		cpumask_set_cpu(cpu, taken);
	}
	return 0;
}

static int cell_create(struct jailhouse_cell_create __user *arg)
{
	struct jailhouse_cell_desc *config;
	struct cpumask cpus, taken;
	struct jh_cell *c;
	long id;
	int err;

	config = copy_cell_config(arg);
	if (IS_ERR(config))
		return PTR_ERR(config);

	mutex_lock(&jh_lock);
	if (!jh_enabled) {
		err = jh_fail(-EINVAL, "the hypervisor is not enabled");
		goto out_unlock;
	}
	list_for_each_entry (c, &cells, list) {
		if (!strcmp(c->name, config->name)) {
			err = jh_fail(-EEXIST, "a cell named \"%s\" exists",
				      config->name);
			goto out_unlock;
		}
	}
	err = new_cell_cpus(config, &cpus);
	if (err)
		goto out_unlock;
	err = offline_cpus(&cpus, &taken);
	if (err)
		goto out_online;

	id = jh_hypercall(JAILHOUSE_HC_CELL_CREATE, __pa(config), 0);
	if (id < 0) {
		err = refused(id, NULL, "create", config->name);
		goto out_online;
	}

	c = jh_sysfs_cell_add(id, config->name, &cpus);
	if (IS_ERR(c)) {
		/* The cell runs without its sysfs entry; take it down. */
		jh_hypercall(JAILHOUSE_HC_CELL_DESTROY, id, 0);
		err = jh_fail(PTR_ERR(c), "cannot add cell %ld to sysfs", id);
		goto out_online;
	}
	c->config = config;
	list_add_tail(&c->list, &cells);
	update_root_cpus();
	mutex_unlock(&jh_lock);
	jh_last_error[0] = 0;
	pr_info("Created Jailhouse cell \"%s\" (id %ld)\n", config->name, id);
	/* 0 like Jailhouse's driver; the id is in sysfs. */
	return 0;

out_online:
	online_cpus(&taken);
out_unlock:
	mutex_unlock(&jh_lock);
	kfree(config);
	return err;
}

/* The cell's loadable region holding [addr, addr + size), as physical. */
static int target_phys(const struct jailhouse_cell_desc *config, u64 addr,
		       u64 size, u64 *phys)
{
	const struct jailhouse_memory *mem =
		(const void *)((const u8 *)(config + 1) + config->cpu_set_size);
	unsigned int n;

	for (n = 0; n < config->num_memory_regions; n++, mem++) {
		if (!(mem->flags & JAILHOUSE_MEM_LOADABLE))
			continue;
		if (addr >= mem->virt_start && size <= mem->size &&
		    addr - mem->virt_start <= mem->size - size) {
			*phys = mem->phys_start + (addr - mem->virt_start);
			return 0;
		}
	}
	return -EINVAL;
}

static int load_image(struct jh_cell *c,
		      const struct jailhouse_preload_image *img)
{
	void *dst;
	u64 phys;
	int err;

	err = target_phys(c->config, img->target_address, img->size, &phys);
	if (err)
		return jh_fail(
			err,
			"image of %llu bytes at 0x%llx does not fit a loadable region of cell \"%s\"",
			img->size, img->target_address, c->name);
	if (!img->size)
		return 0;
	dst = memremap(phys, img->size, MEMREMAP_WB);
	if (!dst)
		return jh_fail(-ENOMEM, "cannot map cell memory at 0x%llx",
			       phys);
	if (copy_from_user(dst,
			   (void __user *)(unsigned long)img->source_address,
			   img->size))
		err = -EFAULT;
	/* The cell starts with its MMU and caches off: write back to PoC. */
	jh_clean_to_poc(dst, img->size);
	memunmap(dst);
	return err;
}

static int cell_load(struct jailhouse_cell_load __user *arg)
{
	struct jailhouse_cell_load req;
	struct jailhouse_preload_image img;
	struct jh_cell *c;
	unsigned int n;
	long ret;
	int err = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.num_preload_images > JH_MAX_IMAGES)
		return jh_fail(-E2BIG, "too many images (%u)",
			       req.num_preload_images);
	req.cell_id.name[JAILHOUSE_CELL_ID_NAMELEN] = 0;

	mutex_lock(&jh_lock);
	c = find_cell(&req.cell_id);
	if (!c) {
		err = jh_fail(-ENOENT, "no such cell");
		goto out;
	}
	ret = jh_hypercall(JAILHOUSE_HC_CELL_SET_LOADABLE, c->id, 0);
	if (ret < 0) {
		err = refused(ret, c, "load", c->name);
		goto out;
	}
	for (n = 0; n < req.num_preload_images && !err; n++) {
		if (copy_from_user(&img, &arg->image[n], sizeof(img)))
			err = -EFAULT;
		else
			err = load_image(c, &img);
	}
out:
	mutex_unlock(&jh_lock);
	if (!err)
		jh_last_error[0] = 0;
	return err;
}

static int cell_start_or_destroy(struct jailhouse_cell_id __user *arg,
				 bool destroy)
{
	struct jailhouse_cell_id cell_id;
	struct jh_cell *c;
	long ret;
	int err = 0;

	if (copy_from_user(&cell_id, arg, sizeof(cell_id)))
		return -EFAULT;
	cell_id.name[JAILHOUSE_CELL_ID_NAMELEN] = 0;

	mutex_lock(&jh_lock);
	c = find_cell(&cell_id);
	if (!c) {
		err = jh_fail(-ENOENT, "no such cell");
		goto out;
	}
	ret = jh_hypercall(destroy ? JAILHOUSE_HC_CELL_DESTROY
				   : JAILHOUSE_HC_CELL_START,
			   c->id, 0);
	if (ret < 0) {
		err = refused(ret, c, destroy ? "destroy" : "start", c->name);
		goto out;
	}
	if (destroy) {
		list_del(&c->list);
		update_root_cpus();
		online_cpus(&c->cpus);
		pr_info("Destroyed Jailhouse cell \"%s\"\n", c->name);
		kfree(c->config);
		c->config = NULL;
		jh_sysfs_cell_remove(c);
	}
out:
	mutex_unlock(&jh_lock);
	if (!err)
		jh_last_error[0] = 0;
	return err;
}

long jh_cell_ioctl(unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case JAILHOUSE_CELL_CREATE:
		return cell_create((void __user *)arg);
	case JAILHOUSE_CELL_LOAD:
		return cell_load((void __user *)arg);
	case JAILHOUSE_CELL_START:
		return cell_start_or_destroy((void __user *)arg, false);
	case JAILHOUSE_CELL_DESTROY:
		return cell_start_or_destroy((void __user *)arg, true);
	default:
		return -EINVAL;
	}
}
