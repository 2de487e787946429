// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jailhouse: command line tool for the Jailhouse-compatible hypervisor.
 * Same verbs, arguments and exit codes as Jailhouse's tool; on failure it
 * also prints the driver's reason (/sys/devices/jailhouse/last_error).
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jailhouse/ioctl.h>

#include "cell-linux.h"
#include "tools.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: jailhouse { COMMAND | --help | --version }\n"
		"\nAvailable commands:\n"
		"   enable SYSCONFIG\n"
		"   disable\n"
		"   console [-f | --follow]\n"
		"   cell create CELLCONFIG\n"
		"   cell list [--json]\n"
		"   cell load { ID | [--name] NAME } "
		"{ IMAGE | { -s | --string } \"STRING\" }\n"
		"             [-a | --address ADDRESS] ...\n"
		"   cell linux CELLCONFIG KERNEL [-i | --initrd INITRD]\n"
		"              [-c | --cmdline \"CMDLINE\"] [-d | --dtb DTB]\n"
		"   cell start { ID | [--name] NAME }\n"
		"   cell shutdown { ID | [--name] NAME }\n"
		"   cell destroy { ID | [--name] NAME }\n"
		"   cell stats { ID | [--name] NAME }\n"
		"   state --json [--boot-log] [--hash FILE]... [--text FILE]...\n");
}

int open_dev(void)
{
	int fd = open(JH_DEV, O_RDWR);

	if (fd < 0) {
		perror("opening " JH_DEV);
		fprintf(stderr, "jailhouse: is the jailhouse module loaded?\n");
		exit(1);
	}
	return fd;
}

void print_reason(void)
{
	char line[512];
	FILE *f = fopen(JAILHOUSE_SYSFS_LAST_ERROR, "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && line[0])
		fprintf(stderr, "jailhouse: reason: %s", line);
	fclose(f);
}

int ioctl_or_report(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (!ioctl(fd, cmd, arg))
		return 0;
	perror(what);
	print_reason();
	return -1;
}

/* One request on a device opened for it alone; the exit status, 0 or 1. */
static int request_once(unsigned long cmd, void *arg, const char *what)
{
	int fd = open_dev();
	int err = ioctl_or_report(fd, cmd, arg, what);

	close(fd);
	return err ? 1 : 0;
}

void *read_file(const char *name, size_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(name, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "reading %s: %s\n", name, strerror(errno));
		exit(1);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "reading %s: %s\n", name, strerror(errno));
		exit(1);
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

/*
 * "enable CONFIG" (@cell false) and "cell create CONFIG": the file's bytes
 * go to the driver, as the argument itself or described by a
 * jailhouse_cell_create.
 */
static int cmd_with_config(int argc, char **argv, bool cell)
{
	struct jailhouse_cell_create req = { 0 };
	size_t size;
	void *config;
	int status;

	if (argc != (cell ? 4 : 3)) {
		usage(stderr);
		return 1;
	}
	config = read_file(argv[argc - 1], &size);
	req.config_address = (unsigned long)config;
	req.config_size = size;
	status = cell ? request_once(JAILHOUSE_CELL_CREATE, &req,
				     "JAILHOUSE_CELL_CREATE")
		      : request_once(JAILHOUSE_ENABLE, config,
				     "JAILHOUSE_ENABLE");
	free(config);
	return status;
}

static int cmd_disable(void)
{
	return request_once(JAILHOUSE_DISABLE, NULL, "JAILHOUSE_DISABLE");
}

static int cmd_console(int argc, char **argv)
{
	bool follow = argc == 3 &&
		      (!strcmp(argv[2], "-f") || !strcmp(argv[2], "--follow"));
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc > 3 || (argc == 3 && !follow)) {
		usage(stderr);
		return 1;
	}
	fd = open(JH_DEV, O_RDONLY | (follow ? 0 : O_NONBLOCK));
	if (fd < 0) {
		perror("opening " JH_DEV);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, n) != n)
			break;
	if (n < 0 && errno != EAGAIN) {
		perror("reading " JH_DEV);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Read a one-line sysfs attribute, newline stripped; "" if absent. */
static void read_attr(const char *dir, const char *attr, char *out, size_t len)
{
	char path[512];
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(out, len, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\n")] = 0;
}

void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int id_sort(const struct dirent **a, const struct dirent **b)
{
	return atoi((*a)->d_name) - atoi((*b)->d_name);
}

static int cmd_cell_list(int argc, char **argv)
{
	bool json = argc == 4 && !strcmp(argv[3], "--json");
	struct dirent **ids;
	int n, i, shown = 0;

	if (argc > 4 || (argc == 4 && !json)) {
		usage(stderr);
		return 1;
	}
	n = scandir(JH_SYSFS "/cells", &ids, not_dot, id_sort);
	if (json)
		printf("[");
	else if (n > 0)
		printf("%-8s%-24s%-18s%-24s%-24s\n", "ID", "Name", "State",
		       "Assigned CPUs", "Failed CPUs");
	for (i = 0; i < n; i++) {
		char dir[512], name[64], state[64], cpus[256], failed[256];

		snprintf(dir, sizeof(dir), JH_SYSFS "/cells/%s",
			 ids[i]->d_name);
		read_attr(dir, "name", name, sizeof(name));
		read_attr(dir, "state", state, sizeof(state));
		read_attr(dir, "cpus_assigned_list", cpus, sizeof(cpus));
		read_attr(dir, "cpus_failed_list", failed, sizeof(failed));
		if (json) {
			printf("%s{\"id\":%d,\"name\":", shown ? "," : "",
			       atoi(ids[i]->d_name));
			json_string(name);
			printf(",\"state\":");
			json_string(state);
			printf(",\"cpus_assigned\":");
			json_string(cpus);
			printf(",\"cpus_failed\":");
			json_string(failed);
			printf("}");
		} else {
			printf("%-8s%-24s%-18s%-24s%-24s\n", ids[i]->d_name,
			       name, state, cpus, failed);
		}
		shown++;
		free(ids[i]);
	}
	if (n >= 0)
		free(ids);
	if (json)
		printf("]\n");
	return 0;
}

/*
 * A cell argument: a number is an id, "--name NAME" or any other word a
 * name. Consumes one or two arguments from *argi.
 */
static int parse_cell_id(struct jailhouse_cell_id *id, int argc, char **argv,
			 int *argi)
{
	const char *arg;
	char *end;
	long n;

	memset(id, 0, sizeof(*id));
	id->id = JAILHOUSE_CELL_ID_UNUSED;
	if (*argi >= argc)
		return -1;
	arg = argv[(*argi)++];
	if (!strcmp(arg, "--name")) {
		if (*argi >= argc)
			return -1;
		arg = argv[(*argi)++];
	} else {
		n = strtol(arg, &end, 0);
		if (*arg && !*end && n >= 0) {
			id->id = n;
			return 0;
		}
	}
	if (strlen(arg) > JAILHOUSE_CELL_ID_NAMELEN) {
		fprintf(stderr, "jailhouse: cell name too long: %s\n", arg);
		return -1;
	}
	strcpy(id->name, arg);
	return 0;
}

static int cell_id_ioctl(int argc, char **argv, unsigned long cmd,
			 const char *what)
{
	struct jailhouse_cell_id id;
	int argi = 3;

	if (parse_cell_id(&id, argc, argv, &argi) || argi != argc) {
		usage(stderr);
		return 1;
	}
	return request_once(cmd, &id, what);
}

/* "cell shutdown" is a load without images: the cell stops, loadable. */
static int cmd_cell_load(int argc, char **argv, bool shutdown)
{
	struct jailhouse_cell_load *req;
	struct jailhouse_preload_image *img;
	unsigned int count = 0;
	int argi = 3, status, i;
	void **bufs;

	req = calloc(1, sizeof(*req) + argc * sizeof(*img));
	bufs = calloc(argc, sizeof(*bufs));
	if (!req || !bufs) {
		fprintf(stderr, "jailhouse: out of memory\n");
		return 1;
	}
	if (parse_cell_id(&req->cell_id, argc, argv, &argi) ||
	    (shutdown && argi != argc) || (!shutdown && argi == argc)) {
		usage(stderr);
		return 1;
	}
	while (argi < argc) {
		const char *arg = argv[argi++];
		size_t size;

		img = &req->image[count];
		if (!strcmp(arg, "-s") || !strcmp(arg, "--string")) {
			if (argi >= argc) {
				usage(stderr);
				return 1;
			}
			arg = argv[argi++];
			size = strlen(arg) + 1;
			bufs[count] = strdup(arg);
		} else {
			bufs[count] = read_file(arg, &size);
		}
		img->source_address = (unsigned long)bufs[count];
		img->size = size;
		img->target_address = 0;
		if (argi < argc && (!strcmp(argv[argi], "-a") ||
				    !strcmp(argv[argi], "--address"))) {
			char *end;

			if (argi + 1 >= argc) {
				usage(stderr);
				return 1;
			}
			img->target_address = strtoull(argv[argi + 1], &end, 0);
			if (*end) {
				fprintf(stderr, "jailhouse: bad address %s\n",
					argv[argi + 1]);
				return 1;
			}
			argi += 2;
		}
		count++;
	}
	req->num_preload_images = count;
	status = request_once(JAILHOUSE_CELL_LOAD, req, "JAILHOUSE_CELL_LOAD");
	for (i = 0; i < (int)count; i++)
		free(bufs[i]);
	free(bufs);
	free(req);
	return status;
}

/* The sysfs directory of a cell given by id or name; 0 if found. */
int cell_dir(const struct jailhouse_cell_id *id, char *dir, size_t len)
{
	struct dirent **ids;
	int n, i, found = -1;

	n = scandir(JH_SYSFS "/cells", &ids, not_dot, id_sort);
	for (i = 0; i < n; i++) {
		char name[64];

		snprintf(dir, len, JH_SYSFS "/cells/%s", ids[i]->d_name);
		read_attr(dir, "name", name, sizeof(name));
		if (found < 0 && (id->id != JAILHOUSE_CELL_ID_UNUSED
					  ? atoi(ids[i]->d_name) == id->id
					  : !strcmp(name, id->name)))
			found = i;
	}
	if (found >= 0)
		snprintf(dir, len, JH_SYSFS "/cells/%s", ids[found]->d_name);
	for (i = 0; i < n; i++)
		free(ids[i]);
	if (n >= 0)
		free(ids);
	return found >= 0 ? 0 : -1;
}

static int cmd_cell_stats(int argc, char **argv)
{
	static const char *const stats[] = {
		"vmexits_total",       "vmexits_mmio",
		"vmexits_management",  "vmexits_hypercall",
		"vmexits_maintenance", "vmexits_virt_irq",
		"vmexits_virt_sgi",    "vmexits_psci",
		"vmexits_smccc",
	};
	struct jailhouse_cell_id id;
	char dir[512], sdir[600], name[64], value[64];
	int argi = 3;
	unsigned int i;

	if (parse_cell_id(&id, argc, argv, &argi) || argi != argc) {
		usage(stderr);
		return 1;
	}
	if (cell_dir(&id, dir, sizeof(dir))) {
		fprintf(stderr, "jailhouse: no such cell\n");
		return 1;
	}
	read_attr(dir, "name", name, sizeof(name));
	snprintf(sdir, sizeof(sdir), "%s/statistics", dir);
	printf("Statistics for %s cell\n\n%-24s%s\n", name, "COUNTER", "SUM");
	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		read_attr(sdir, stats[i], value, sizeof(value));
		printf("%-24s%s\n", stats[i], value);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("Jailhouse management tool (pulumi-jailhouse) 0.1\n");
		return 0;
	}
	if (!strcmp(argv[1], "enable"))
		return cmd_with_config(argc, argv, false);
	if (!strcmp(argv[1], "disable"))
		return cmd_disable();
	if (!strcmp(argv[1], "console"))
		return cmd_console(argc, argv);
	if (!strcmp(argv[1], "state"))
		return cmd_state(argc, argv);
	if (!strcmp(argv[1], "cell") && argc >= 3 && !strcmp(argv[2], "list"))
		return cmd_cell_list(argc, argv);
	if (!strcmp(argv[1], "cell") && argc >= 3) {
		if (!strcmp(argv[2], "create"))
			return cmd_with_config(argc, argv, true);
		if (!strcmp(argv[2], "load"))
			return cmd_cell_load(argc, argv, false);
		if (!strcmp(argv[2], "shutdown"))
			return cmd_cell_load(argc, argv, true);
		if (!strcmp(argv[2], "linux"))
			return cmd_cell_linux(argc, argv);
		if (!strcmp(argv[2], "start"))
			return cell_id_ioctl(argc, argv, JAILHOUSE_CELL_START,
					     "JAILHOUSE_CELL_START");
		if (!strcmp(argv[2], "destroy"))
			return cell_id_ioctl(argc, argv, JAILHOUSE_CELL_DESTROY,
					     "JAILHOUSE_CELL_DESTROY");
		if (!strcmp(argv[2], "stats"))
			return cmd_cell_stats(argc, argv);
	}
	usage(stderr);
	return 1;
}
