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

#define JH_DEV "/dev/jailhouse"
#define JH_SYSFS "/sys/devices/jailhouse"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: jailhouse { COMMAND | --help | --version }\n"
		"\nAvailable commands:\n"
		"   enable SYSCONFIG\n"
		"   disable\n"
		"   console [-f | --follow]\n"
		"   cell list [--json]\n");
}

static int open_dev(void)
{
	int fd = open(JH_DEV, O_RDWR);

	if (fd < 0) {
		perror("opening " JH_DEV);
		fprintf(stderr, "jailhouse: is the jailhouse module loaded?\n");
		exit(1);
	}
	return fd;
}

static void print_reason(void)
{
	char line[512];
	FILE *f = fopen(JAILHOUSE_SYSFS_LAST_ERROR, "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && line[0])
		fprintf(stderr, "jailhouse: reason: %s", line);
	fclose(f);
}

static void *read_file(const char *name, size_t *size)
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

static int cmd_enable(int argc, char **argv)
{
	size_t size;
	void *config;
	int fd, err;

	if (argc != 3) {
		usage(stderr);
		return 1;
	}
	config = read_file(argv[2], &size);
	fd = open_dev();
	err = ioctl(fd, JAILHOUSE_ENABLE, config);
	if (err) {
		perror("JAILHOUSE_ENABLE");
		print_reason();
	}
	close(fd);
	free(config);
	return err ? 1 : 0;
}

static int cmd_disable(void)
{
	int fd = open_dev();
	int err = ioctl(fd, JAILHOUSE_DISABLE);

	if (err) {
		perror("JAILHOUSE_DISABLE");
		print_reason();
	}
	close(fd);
	return err ? 1 : 0;
}

static int cmd_console(int argc, char **argv)
{
	bool follow = argc == 3 && (!strcmp(argv[2], "-f") ||
				    !strcmp(argv[2], "--follow"));
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

static void json_string(const char *s)
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
		return cmd_enable(argc, argv);
	if (!strcmp(argv[1], "disable"))
		return cmd_disable();
	if (!strcmp(argv[1], "console"))
		return cmd_console(argc, argv);
	if (!strcmp(argv[1], "cell") && argc >= 3 && !strcmp(argv[2], "list"))
		return cmd_cell_list(argc, argv);
	if (!strcmp(argv[1], "cell")) {
		fprintf(stderr,
			"jailhouse: this cell command is not implemented yet\n");
		return 1;
	}
	usage(stderr);
	return 1;
}
