// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jailhouse.ko: loads the Jailhouse-compatible hypervisor on a stock arm64
 * kernel and exposes /dev/jailhouse and /sys/devices/jailhouse.
 *
 * Enable: check the config and the platform, copy jailhouse.bin and the
 * config into the hypervisor memory, then enter EL2 on every CPU through the
 * Linux hyp stub (HVC_SOFT_RESTART). Disable: DISABLE hypercall per CPU,
 * after which the stub is back on every CPU.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/firmware.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/cacheflush.h>

#include <jailhouse/ioctl.h>
#include "jailhouse.h"

#define JH_FIRMWARE "jailhouse.bin"
#define JH_MAX_CONFIG_SIZE (1 << 20)
#define JH_MIN_POOL_PAGES 64

DEFINE_MUTEX(jh_lock);
bool jh_enabled;
struct device *jh_dev;
char jh_last_error[JH_REASON_LEN];

static void *hv_mem; /* memremap of hypervisor_memory */
static struct resource *hv_res;
static u64 hv_console_off;
struct cpumask jh_root_cpus;
static char *last_console; /* ring copy kept after disable */
static u32 last_console_tail;

int jh_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(jh_last_error, sizeof(jh_last_error), fmt, ap);
	va_end(ap);
	pr_err("jailhouse: %s\n", jh_last_error);
	return err;
}

/* dc civac over a range: EL2 starts with its MMU off and reads memory. */
void jh_clean_to_poc(void *start, size_t size)
{
	u64 ctr = read_sysreg(ctr_el0);
	size_t line = 4 << ((ctr >> JH_CTR_DMINLINE_SHIFT) & JH_ID_FIELD_MASK);
	unsigned long p = (unsigned long)start & ~(line - 1);
	unsigned long end = (unsigned long)start + size;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

static int ram_overlap(struct resource *res, void *arg)
{
	*(struct resource *)arg = *res;
	return 1;
}

static int jh_check_config(const struct jailhouse_system *sys, size_t size)
{
	const struct jailhouse_memory *hv = &sys->hypervisor_memory;
	const struct jailhouse_cell_desc *root = &sys->root_cell;
	const u8 *set = (const u8 *)(root + 1);
	struct resource ram = {};
	unsigned int n;

	if (size < jailhouse_system_config_size(sys))
		return jh_fail(-EINVAL, "system configuration truncated");
	if (!hv->size || (hv->phys_start | hv->size) & ~PAGE_MASK ||
	    hv->phys_start + hv->size < hv->phys_start)
		return jh_fail(
			-EINVAL,
			"hypervisor memory 0x%llx+0x%llx is empty, not page aligned or wraps around 2^64",
			hv->phys_start, hv->size);
	if (walk_iomem_res_desc(IORES_DESC_NONE,
				IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				hv->phys_start, hv->phys_start + hv->size - 1,
				&ram, ram_overlap) > 0)
		return jh_fail(
			-EINVAL,
			"hypervisor memory 0x%llx-0x%llx overlaps Linux RAM (System RAM %pa-%pa); keep it out of Linux with mem= or a reserved-memory node",
			hv->phys_start, hv->phys_start + hv->size - 1,
			&ram.start, &ram.end);

	cpumask_clear(&jh_root_cpus);
	for (n = 0; n < root->cpu_set_size * 8; n++) {
		if (!(set[n / 8] & (1 << (n % 8))))
			continue;
		if (n >= nr_cpu_ids)
			return jh_fail(
				-EINVAL,
				"root cell CPU %u does not exist (this system has %u CPUs)",
				n, nr_cpu_ids);
		cpumask_set_cpu(n, &jh_root_cpus);
	}
	if (!cpumask_equal(&jh_root_cpus, cpu_online_mask))
		return jh_fail(
			-EBUSY,
			"root cell CPUs %*pbl differ from the online CPUs %*pbl; all root CPUs, and only those, must be online",
			cpumask_pr_args(&jh_root_cpus),
			cpumask_pr_args(cpu_online_mask));
	return 0;
}

/* The system configuration from user space, its header checked. */
static struct jailhouse_system *
copy_system_config(struct jailhouse_system __user *arg, size_t *size)
{
	struct jailhouse_system head;

	if (copy_from_user(&head, arg, sizeof(head)))
		return ERR_PTR(-EFAULT);
	if (memcmp(head.signature, JAILHOUSE_SYSTEM_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE))
		return ERR_PTR(jh_fail(
			-EINVAL,
			"not a system configuration (signature is not JHSYS)"));
	if (head.architecture != JAILHOUSE_ARM64)
		return ERR_PTR(jh_fail(
			-EINVAL,
			"configuration is for architecture %u, this host is arm64 (%u)",
			head.architecture, JAILHOUSE_ARM64));
	if (head.revision != JAILHOUSE_CONFIG_REVISION)
		return ERR_PTR(jh_fail(
			-EINVAL,
			"configuration revision %u, this driver needs revision %u",
			head.revision, JAILHOUSE_CONFIG_REVISION));
	*size = jailhouse_system_config_size(&head);
	if (*size > JH_MAX_CONFIG_SIZE)
		return ERR_PTR(jh_fail(
			-E2BIG, "system configuration too large (%zu bytes)",
			*size));
	return memdup_user(arg, *size);
}

/*
 * The firmware image must be ours and fit, with the per-CPU areas, the
 * configuration and a minimal pool, into the hypervisor memory. Returns the
 * offset of the configuration in that memory, or a negative errno.
 */
static s64 firmware_layout(const struct firmware *fw, u64 hv_size,
			   unsigned int max_cpus, size_t config_size)
{
	const struct jailhouse_header *hdr = (const void *)fw->data;
	u64 cfg_off;

	if (fw->size < sizeof(*hdr) ||
	    memcmp(hdr->signature, JAILHOUSE_SIGNATURE,
		   JAILHOUSE_SIGNATURE_LEN))
		return jh_fail(-EINVAL, "%s is not a hypervisor image",
			       JH_FIRMWARE);
	cfg_off = hdr->core_size + (u64)max_cpus * hdr->percpu_size;
	if (fw->size > hdr->core_size ||
	    cfg_off + config_size + JH_MIN_POOL_PAGES * PAGE_SIZE > hv_size)
		return jh_fail(
			-ENOMEM,
			"hypervisor memory too small: %llu bytes, need %llu + pool",
			hv_size, cfg_off + config_size);
	return cfg_off;
}

/* Firmware and configuration into the mapped hypervisor memory, cleaned to
 * the point of coherency: the CPUs enter it with their MMUs off. */
static void load_hypervisor(const struct firmware *fw,
			    const struct jailhouse_system *sys, size_t size,
			    u64 cfg_off, u64 hv_size, unsigned int max_cpus)
{
	const struct jailhouse_header *hdr = (const void *)fw->data;
	struct jailhouse_header *loaded = hv_mem;

	memset(hv_mem, 0, hv_size);
	memcpy(hv_mem, fw->data, fw->size);
	loaded->max_cpus = max_cpus;
	loaded->online_cpus = cpumask_weight(&jh_root_cpus);
	memcpy(hv_mem + cfg_off, sys, size);
	hv_console_off = hdr->console_page;
	jh_clean_to_poc(hv_mem, hv_size);
	caches_clean_inval_pou((unsigned long)hv_mem,
			       (unsigned long)hv_mem + hdr->core_size);
}

/*
 * Load the firmware image and lay it out in the hypervisor memory; returns
 * the offset of the configuration there (see firmware_layout()), or a
 * negative errno with the firmware released.
 */
static s64 request_hypervisor_firmware(const struct firmware **fw, u64 hv_size,
				       unsigned int max_cpus,
				       size_t config_size)
{
	s64 cfg_off;
	int err;

	err = request_firmware(fw, JH_FIRMWARE, jh_dev);
	if (err)
		return jh_fail(
			err,
			"cannot load firmware %s (%d); install it in /lib/firmware",
			JH_FIRMWARE, err);
	cfg_off = firmware_layout(*fw, hv_size, max_cpus, config_size);
	if (cfg_off < 0)
		release_firmware(*fw);
	return cfg_off;
}

/* Claim the hypervisor memory from the kernel and map it, cached. */
static int map_hypervisor_memory(u64 start, u64 size)
{
	int err;

	hv_res = request_mem_region(start, size, "Jailhouse hypervisor");
	if (!hv_res)
		return jh_fail(
			-EBUSY,
			"hypervisor memory 0x%llx-0x%llx is in use by another driver",
			start, start + size - 1);
	hv_mem = memremap(start, size, MEMREMAP_WB);
	if (!hv_mem) {
		err = jh_fail(-ENOMEM, "cannot map hypervisor memory 0x%llx",
			      start);
		release_mem_region(start, size);
		hv_res = NULL;
		return err;
	}
	return 0;
}

static void unmap_hypervisor_memory(void)
{
	memunmap(hv_mem);
	hv_mem = NULL;
	release_mem_region(hv_res->start, resource_size(hv_res));
	hv_res = NULL;
}

static int jh_cmd_enable(struct jailhouse_system __user *arg)
{
	const struct jailhouse_header *hdr;
	struct jailhouse_system *sys;
	const struct firmware *fw = NULL;
	struct cpumask entered;
	u64 hv_start, hv_size;
	unsigned int max_cpus;
	size_t size;
	s64 cfg_off;
	ktime_t t0 = ktime_get();
	int err;

	sys = copy_system_config(arg, &size);
	if (IS_ERR(sys))
		return PTR_ERR(sys);

	mutex_lock(&jh_lock);
	if (jh_enabled) {
		err = jh_fail(-EBUSY, "the hypervisor is already enabled");
		goto out_unlock;
	}
	cpus_read_lock();
	err = jh_check_el2();
	if (!err)
		err = jh_check_config(sys, size);
	if (err)
		goto out_cpus;

	hv_start = sys->hypervisor_memory.phys_start;
	hv_size = sys->hypervisor_memory.size;
	max_cpus = cpumask_last(&jh_root_cpus) + 1;

	cfg_off = request_hypervisor_firmware(&fw, hv_size, max_cpus, size);
	if (cfg_off < 0) {
		err = cfg_off;
		goto out_cpus;
	}
	hdr = (const void *)fw->data;

	err = map_hypervisor_memory(hv_start, hv_size);
	if (err)
		goto out_fw;
	load_hypervisor(fw, sys, size, cfg_off, hv_size, max_cpus);

	err = jh_enter_cpus(&jh_root_cpus, hv_start + hdr->entry, &entered);
	if (err) {
		jh_leave_cpus(&entered);
		goto out_unmap;
	}

	kfree(last_console);
	last_console = NULL;
	jh_enabled = true;
	__module_get(THIS_MODULE);
	jh_sysfs_root_cell_add(sys->root_cell.name, &jh_root_cpus);
	release_firmware(fw);
	cpus_read_unlock();
	mutex_unlock(&jh_lock);
	kfree(sys);
	jh_last_error[0] = 0;
	pr_info("The Jailhouse is opening. (%lld us)\n",
		ktime_us_delta(ktime_get(), t0));
	return 0;

out_unmap:
	/* Keep what the hypervisor said for "jailhouse console". */
	last_console = kmalloc(JAILHOUSE_VIRT_CONSOLE_SIZE, GFP_KERNEL);
	if (last_console) {
		jh_console_snapshot(last_console, JAILHOUSE_VIRT_CONSOLE_SIZE,
				    &last_console_tail);
	}
	unmap_hypervisor_memory();
out_fw:
	release_firmware(fw);
out_cpus:
	cpus_read_unlock();
out_unlock:
	mutex_unlock(&jh_lock);
	kfree(sys);
	return err;
}

static int jh_cmd_disable(void)
{
	char *saved;
	u32 tail = 0; /* no saved console without a buffer */
	int err;

	mutex_lock(&jh_lock);
	if (!jh_enabled) {
		err = jh_fail(-EINVAL, "the hypervisor is not enabled");
		goto out;
	}
	if (jh_cells_exist()) {
		err = jh_fail(-EBUSY, "destroy all non-root cells first");
		goto out;
	}
	cpus_read_lock();
	if (!cpumask_subset(&jh_root_cpus, cpu_online_mask)) {
		err = jh_fail(
			-EBUSY,
			"root cell CPUs %*pbl must all be online to disable (online: %*pbl)",
			cpumask_pr_args(&jh_root_cpus),
			cpumask_pr_args(cpu_online_mask));
		cpus_read_unlock();
		goto out;
	}
	err = jh_leave_cpus(&jh_root_cpus);
	cpus_read_unlock();
	if (err)
		goto out;

	saved = kmalloc(JAILHOUSE_VIRT_CONSOLE_SIZE, GFP_KERNEL);
	if (saved)
		jh_console_snapshot(saved, JAILHOUSE_VIRT_CONSOLE_SIZE, &tail);
	jh_enabled = false;
	kfree(last_console);
	last_console = saved;
	last_console_tail = tail;
	jh_sysfs_root_cell_remove();
	unmap_hypervisor_memory();
	module_put(THIS_MODULE);
	jh_last_error[0] = 0;
	pr_info("The Jailhouse was closed.\n");
out:
	mutex_unlock(&jh_lock);
	return err;
}

/*
 * Copy the console ring in chronological order into @buf (SIZE bytes).
 * Returns the byte count; @tail gets the writer position of the copy.
 * Caller holds jh_lock or otherwise keeps hv_mem stable.
 */
ssize_t jh_console_snapshot(char *buf, size_t size, u32 *tail)
{
	const struct jailhouse_virt_console *con;
	u32 t, n, start, tries;

	if (!hv_mem) {
		if (!last_console) {
			*tail = 0;
			return 0;
		}
		n = min_t(u32, last_console_tail, JAILHOUSE_VIRT_CONSOLE_SIZE);
		memcpy(buf, last_console, n);
		*tail = last_console_tail;
		return n;
	}
	con = hv_mem + hv_console_off;
	for (tries = 0; tries < 100; tries++) {
		u32 i;

		t = READ_ONCE(con->tail);
		smp_rmb();
		n = min_t(u32, t, JAILHOUSE_VIRT_CONSOLE_SIZE);
		start = t - n;
		for (i = 0; i < n; i++)
			buf[i] = READ_ONCE(
				con->content[(start + i) %
					     JAILHOUSE_VIRT_CONSOLE_SIZE]);
		smp_rmb();
		if (!READ_ONCE(con->busy) && READ_ONCE(con->tail) == t)
			break;
		udelay(10);
	}
	*tail = t;
	return n;
}

struct jh_reader {
	u32 pos;
	bool started;
};

static int jh_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(sizeof(struct jh_reader), GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int jh_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/* Stream the console: everything in the ring first, then new output. */
static ssize_t jh_read(struct file *file, char __user *out, size_t count,
		       loff_t *ppos)
{
	struct jh_reader *r = file->private_data;
	char *buf;
	ssize_t ret;

	buf = kmalloc(JAILHOUSE_VIRT_CONSOLE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		u32 tail, n, skip, avail;

		mutex_lock(&jh_lock);
		n = jh_console_snapshot(buf, JAILHOUSE_VIRT_CONSOLE_SIZE,
					&tail);
		mutex_unlock(&jh_lock);
		if (!r->started) {
			r->pos = tail - n;
			r->started = true;
		}
		if (tail - r->pos > n)
			r->pos = tail - n; /* overrun: skip what was lost */
		avail = tail - r->pos;
		if (avail) {
			skip = n - avail;
			n = min_t(u32, avail, count);
			ret = copy_to_user(out, buf + skip, n) ? -EFAULT : n;
			if (ret > 0)
				r->pos += n;
			break;
		}
		if (file->f_flags & O_NONBLOCK) {
			ret = 0;
			break;
		}
		if (msleep_interruptible(100)) {
			ret = -EINTR;
			break;
		}
	}
	kfree(buf);
	return ret;
}

static long jh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case JAILHOUSE_ENABLE:
		return jh_cmd_enable((void __user *)arg);
	case JAILHOUSE_DISABLE:
		return jh_cmd_disable();
	case JAILHOUSE_CELL_CREATE:
	case JAILHOUSE_CELL_LOAD:
	case JAILHOUSE_CELL_START:
	case JAILHOUSE_CELL_DESTROY:
		return jh_cell_ioctl(cmd, arg);
	default:
		return -EINVAL;
	}
}

static const struct file_operations jh_fops = {
	.owner = THIS_MODULE,
	.open = jh_open,
	.release = jh_release,
	.read = jh_read,
	.unlocked_ioctl = jh_ioctl,
	.compat_ioctl = jh_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice jh_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "jailhouse",
	.fops = &jh_fops,
};

static int __init jh_init(void)
{
	int err;

	jh_dev = root_device_register("jailhouse");
	if (IS_ERR(jh_dev))
		return PTR_ERR(jh_dev);
	err = jh_sysfs_init(jh_dev);
	if (err)
		goto out_dev;
	err = misc_register(&jh_misc);
	if (err)
		goto out_sysfs;
	return 0;

out_sysfs:
	jh_sysfs_exit(jh_dev);
out_dev:
	root_device_unregister(jh_dev);
	return err;
}

static void __exit jh_exit(void)
{
	misc_deregister(&jh_misc);
	jh_sysfs_exit(jh_dev);
	root_device_unregister(jh_dev);
	kfree(last_console);
}

module_init(jh_init);
module_exit(jh_exit);
MODULE_DESCRIPTION(
	"Loader for the Jailhouse-compatible partitioning hypervisor");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_FIRMWARE(JH_FIRMWARE);
