// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jailhouse cell linux: boots an arm64 Linux kernel in a non-root cell.
 *
 * Where the files go in the cell's RAM (the RAM region with the lowest
 * guest address that is neither I/O nor the comm region; it must be
 * loadable and start on a 2 MiB boundary), the same rule as
 * `jailhouse-config dtb` uses for the initrd it writes into the tree:
 *   kernel  RAM start + the Image header's text_offset, image_size bytes;
 *   dtb     the last whole 2 MiB block of RAM (8-byte aligned, < 2 MiB);
 *   initrd  ends where the dtb block starts, starts 4 KiB aligned;
 *   entry   a 40-byte stub in the last 4 KiB of the dtb block that enters
 *           the kernel as the arm64 boot protocol asks: x0 = the dtb's
 *           address, x1-x3 = 0, MMU off (the hypervisor starts every cell
 *           CPU that way).
 * The cell is created from CELLCONFIG with its reset address set to the
 * stub (a cell of that name is destroyed first), the files are loaded,
 * and the cell is started.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jailhouse/cell-config.h>
#include <jailhouse/ioctl.h>

#include "cell-linux.h"
#include "fdt-chosen.h"
#include "tools.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define STUB_SIZE 40
/* arm64 Image header (Documentation/arm64/booting.rst) */
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define IMAGE_HEADER_SIZE 64
/* Kernels before 3.17 leave image_size 0 and expect this offset. */
#define OLD_TEXT_OFFSET 0x80000ULL

struct file {
	void *data;
	size_t size;
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, v >> 32);
}

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "jailhouse cell linux: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

/* The kernel as it runs: a gzip'ed vmlinuz is unpacked with gzip -dc. */
static struct file read_kernel(const char *name)
{
	struct file f;
	const uint8_t *p;
	int pipefd[2], status;
	size_t cap = 64 << 20;
	ssize_t n;
	pid_t pid;

	f.data = read_file(name, &f.size);
	p = f.data;
	if (f.size < 2 || p[0] != 0x1f || p[1] != 0x8b)
		return f;
	free(f.data);
	if (pipe(pipefd))
		die("%s: pipe: %s", name, strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execlp("gzip", "gzip", "-dc", "--", name, (char *)NULL);
		fprintf(stderr, "jailhouse cell linux: running gzip: %s\n",
			strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	f.data = malloc(cap);
	f.size = 0;
	while (f.data && (n = read(pipefd[0], (char *)f.data + f.size,
				   cap - f.size)) > 0) {
		f.size += n;
		if (f.size == cap)
			f.data = realloc(f.data, cap *= 2);
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || !f.data)
		die("%s: decompressing with gzip -dc failed (is gzip "
		    "installed, is the file intact?)%s",
		    name, "");
	return f;
}

/* The RAM region the files go to; exits with the fix when there is none. */
static const struct jailhouse_memory *
boot_ram(const struct jailhouse_cell_desc *c, size_t size, const char *file)
{
	const struct jailhouse_memory *mem, *best = NULL;
	unsigned int n;
	char where[64];

	mem = (const void *)((const uint8_t *)(c + 1) + c->cpu_set_size);
	if ((const uint8_t *)(mem + c->num_memory_regions) >
	    (const uint8_t *)c + size)
		die("%s: truncated cell config (memory regions run past the "
		    "end of the file)%s",
		    file, "");
	for (n = 0; n < c->num_memory_regions; n++, mem++)
		if (!(mem->flags &
		      (JAILHOUSE_MEM_IO | JAILHOUSE_MEM_COMM_REGION)) &&
		    (!best || mem->virt_start < best->virt_start))
			best = mem;
	if (!best)
		die("%s: the cell has no RAM region (one without the io and "
		    "comm-region flags) to load a kernel into%s",
		    file, "");
	snprintf(where, sizeof(where), "virt 0x%llx",
		 (unsigned long long)best->virt_start);
	if (!(best->flags & JAILHOUSE_MEM_LOADABLE))
		die("%s: the RAM region at %s gets the kernel but lacks the "
		    "loadable flag; add loadable to its flags",
		    file, where);
	if (best->virt_start % SZ_2M)
		die("%s: the RAM region at %s is not 2 MiB aligned, as the "
		    "arm64 boot protocol needs for the kernel; move its virt "
		    "to a multiple of 0x200000",
		    file, where);
	return best;
}

static void add_image(struct jailhouse_cell_load *req, const void *data,
		      size_t size, uint64_t addr)
{
	struct jailhouse_preload_image *img =
		&req->image[req->num_preload_images++];

	img->source_address = (unsigned long)data;
	img->size = size;
	img->target_address = addr;
}

/* What a Linux boot puts where in the cell, filled in step by step. */
struct linux_boot {
	const char *config_file, *kernel_file, *initrd_file, *dtb_file;
	struct chosen_edit edit;
	struct jailhouse_cell_desc *desc;
	size_t config_size;
	const struct jailhouse_memory *ram;
	struct file kernel, initrd;
	uint64_t image_size, kernel_addr, dtb_addr, stub_addr;
	void *dtb;
	size_t dtb_size;
	uint8_t stub[STUB_SIZE];
};

static void parse_args(int argc, char **argv, struct linux_boot *b)
{
	int argi;

	for (argi = 3; argi < argc; argi++) {
		const char *a = argv[argi];
		bool has_value = argi + 1 < argc;

		if ((!strcmp(a, "-i") || !strcmp(a, "--initrd")) && has_value)
			b->initrd_file = argv[++argi];
		else if ((!strcmp(a, "-c") || !strcmp(a, "--cmdline")) &&
			 has_value)
			b->edit.bootargs = argv[++argi];
		else if ((!strcmp(a, "-d") || !strcmp(a, "--dtb")) && has_value)
			b->dtb_file = argv[++argi];
		else if (a[0] == '-')
			die("unknown option or missing value: %s (options: -i "
			    "INITRD, -c CMDLINE, -d DTB)%s",
			    a, "");
		else if (!b->config_file)
			b->config_file = a;
		else if (!b->kernel_file)
			b->kernel_file = a;
		else
			die("one cell config and one kernel, then options; "
			    "extra argument: %s%s",
			    a, "");
	}
	if (!b->config_file || !b->kernel_file)
		die("usage: jailhouse cell linux CELLCONFIG KERNEL [-i INITRD] "
		    "[-c CMDLINE] [-d DTB]%s%s",
		    "", "");
	if (!b->dtb_file)
		die("no device tree given (-d DTB). Generate the one for this "
		    "cell from its config: jailhouse-config dtb SYSTEM.yaml "
		    "CELL.yaml [--cmdline \"...\"] -o cell.dtb, then pass -d "
		    "cell.dtb%s%s",
		    "", "");
}

static void read_cell_config(struct linux_boot *b)
{
	b->desc = read_file(b->config_file, &b->config_size);
	if (b->config_size < sizeof(*b->desc) ||
	    memcmp(b->desc->signature, JAILHOUSE_CELL_DESC_SIGNATURE,
		   JAILHOUSE_SIGNATURE_SIZE))
		die("%s: not a cell config (.cell file compiled with "
		    "jailhouse-config compile)%s",
		    b->config_file, "");
	b->ram = boot_ram(b->desc, b->config_size, b->config_file);
}

/* Read the kernel and place it, the initrd, the dtb and the stub. */
static void place_images(struct linux_boot *b)
{
	const struct jailhouse_memory *ram = b->ram;
	uint64_t ram_end = ram->virt_start + ram->size;
	uint64_t text_offset, kernel_limit;
	char err[256];

	b->kernel = read_kernel(b->kernel_file);
	if (b->kernel.size < IMAGE_HEADER_SIZE ||
	    le64((uint8_t *)b->kernel.data + 56) % (1ULL << 32) != IMAGE_MAGIC)
		die("%s: not an arm64 Linux Image (no \"ARM\\x64\" magic at "
		    "offset 56; pass the kernel's Image or vmlinuz, gzip'ed or "
		    "not)%s",
		    b->kernel_file, "");
	text_offset = le64((uint8_t *)b->kernel.data + 8);
	b->image_size = le64((uint8_t *)b->kernel.data + 16);
	if (!b->image_size) {
		text_offset = OLD_TEXT_OFFSET;
		b->image_size = b->kernel.size;
	}

	b->dtb_addr = (ram_end & ~(SZ_2M - 1)) - SZ_2M;
	b->stub_addr = b->dtb_addr + SZ_2M - SZ_4K;
	if (b->initrd_file) {
		b->initrd.data = read_file(b->initrd_file, &b->initrd.size);
		b->edit.has_initrd = 1;
		b->edit.initrd_start =
			(b->dtb_addr - b->initrd.size) & ~(SZ_4K - 1);
		b->edit.initrd_end = b->edit.initrd_start + b->initrd.size;
	}
	b->kernel_addr = ram->virt_start + text_offset;
	kernel_limit = b->initrd_file ? b->edit.initrd_start : b->dtb_addr;
	if (b->dtb_addr <= ram->virt_start || kernel_limit < b->kernel_addr ||
	    kernel_limit - b->kernel_addr < b->image_size) {
		snprintf(err, sizeof(err),
			 "0x%llx bytes of cell RAM (virt "
			 "0x%llx) hold no kernel of 0x%llx bytes",
			 (unsigned long long)ram->size,
			 (unsigned long long)ram->virt_start,
			 (unsigned long long)b->image_size);
		die("%s next to %s the 2 MiB device tree block; give the RAM "
		    "region more memory (a Debian kernel needs about 64 MiB)",
		    err, b->initrd_file ? "the initrd and" : "");
	}
}

/* The given tree with /chosen naming the command line and the initrd. */
static void edit_dtb(struct linux_boot *b)
{
	struct file dtb_in;
	char err[256];

	dtb_in.data = read_file(b->dtb_file, &dtb_in.size);
	b->dtb = fdt_edit_chosen(dtb_in.data, dtb_in.size, &b->edit,
				 &b->dtb_size, err, sizeof(err));
	if (!b->dtb)
		die("%s: %s", b->dtb_file, err);
	if (b->dtb_size > SZ_2M - SZ_4K)
		die("%s: the device tree must stay below 2 MiB - 4 KiB (the "
		    "boot stub shares its block)%s",
		    b->dtb_file, "");
}

static void write_boot_stub(struct linux_boot *b)
{
	/* ldr x0, dtb; ldr x4, kernel; mov x1-x3, xzr; br x4 */
	put_le32(b->stub, 0x580000c0);
	put_le32(b->stub + 4, 0x580000e4);
	put_le32(b->stub + 8, 0xaa1f03e1);
	put_le32(b->stub + 12, 0xaa1f03e2);
	put_le32(b->stub + 16, 0xaa1f03e3);
	put_le32(b->stub + 20, 0xd61f0080);
	put_le64(b->stub + 24, b->dtb_addr);
	put_le64(b->stub + 32, b->kernel_addr);
}

/*
 * Create the cell (destroying one of that name first), load the images
 * and start it; 1 when an ioctl failed (it was reported).
 */
static int boot_cell(int fd, struct linux_boot *b, struct jailhouse_cell_id *id)
{
	struct jailhouse_cell_create create = { 0 };
	struct jailhouse_cell_load *req;
	char dir[512];

	memcpy(id->name, b->desc->name, sizeof(b->desc->name));
	id->name[sizeof(id->name) - 1] = 0;
	id->id = JAILHOUSE_CELL_ID_UNUSED;
	if (!cell_dir(id, dir, sizeof(dir))) {
		printf("Cell \"%s\" exists: destroying it to boot Linux in a "
		       "fresh one\n",
		       id->name);
		if (ioctl_or_report(fd, JAILHOUSE_CELL_DESTROY, id,
				    "JAILHOUSE_CELL_DESTROY"))
			return 1;
	}
	b->desc->cpu_reset_address = b->stub_addr;
	create.config_address = (unsigned long)b->desc;
	create.config_size = b->config_size;
	if (ioctl_or_report(fd, JAILHOUSE_CELL_CREATE, &create,
			    "JAILHOUSE_CELL_CREATE"))
		return 1;

	req = calloc(1, sizeof(*req) + 4 * sizeof(req->image[0]));
	if (!req)
		die("out of memory%s%s", "", "");
	req->cell_id = *id;
	add_image(req, b->kernel.data, b->kernel.size, b->kernel_addr);
	if (b->initrd_file)
		add_image(req, b->initrd.data, b->initrd.size,
			  b->edit.initrd_start);
	add_image(req, b->dtb, b->dtb_size, b->dtb_addr);
	add_image(req, b->stub, sizeof(b->stub), b->stub_addr);
	return ioctl_or_report(fd, JAILHOUSE_CELL_LOAD, req,
			       "JAILHOUSE_CELL_LOAD") ||
	       ioctl_or_report(fd, JAILHOUSE_CELL_START, id,
			       "JAILHOUSE_CELL_START");
}

int cmd_cell_linux(int argc, char **argv)
{
	struct linux_boot b = { 0 };
	struct jailhouse_cell_id id = { 0 };
	int fd;

	parse_args(argc, argv, &b);
	read_cell_config(&b);
	place_images(&b);
	edit_dtb(&b);
	write_boot_stub(&b);

	fd = open_dev();
	if (boot_cell(fd, &b, &id))
		return 1;
	printf("Linux in cell \"%s\": kernel at 0x%llx (0x%llx bytes), ",
	       id.name, (unsigned long long)b.kernel_addr,
	       (unsigned long long)b.image_size);
	if (b.initrd_file)
		printf("initrd at 0x%llx-0x%llx, ",
		       (unsigned long long)b.edit.initrd_start,
		       (unsigned long long)b.edit.initrd_end);
	printf("dtb at 0x%llx, entry 0x%llx\n", (unsigned long long)b.dtb_addr,
	       (unsigned long long)b.stub_addr);
	close(fd);
	return 0;
}
