// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jailhouse state --json: the host's partitioning state in one process, for
 * a manager that would otherwise run a shell script of some thirty forks.
 * It reads sysfs and procfs directly; file hashes are cached by identity
 * (size, mtime, ctime, inode) so an unchanged firmware is not read again;
 * the boot log, the only slow part, is read only when asked for.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sha256.h"
#include "tools.h"

#define DEFAULT_CACHE "/var/cache/jailhouse/file-hashes"
#define MAX_FILES 32
#define MAX_CACHED 64
#define MAX_BOOT_LINES 256

struct cached_hash {
	char hash[65];
	long long size, mtime_ns, ctime_ns;
	unsigned long long ino;
	char path[PATH_MAX];
};

struct hash_cache {
	const char *file;
	struct cached_hash entry[MAX_CACHED];
	int count;
	bool dirty;
};

/* The whole file with trailing newlines removed, as $(cat FILE) gives it; "" if
 * unreadable. */
static void read_text(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (f) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	out[n] = 0;
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void print_field(const char *name, const char *value, bool first)
{
	printf("%s\"%s\":", first ? "" : ",", name);
	json_string(value);
}

static void print_ram(void)
{
	static const char marker[] = " : System RAM";
	char line[256];
	FILE *f = fopen("/proc/iomem", "re");
	bool first = true;

	printf(",\"ram\":[");
	while (f && fgets(line, sizeof(line), f)) {
		size_t span = strspn(line, "0123456789abcdef");

		/* Top-level ranges only: nested ones are indented. */
		if (span == 0 || line[span] != '-')
			continue;
		span += 1 + strspn(line + span + 1, "0123456789abcdef");
		if (strncmp(line + span, marker, sizeof(marker) - 1))
			continue;
		line[span] = 0;
		printf("%s", first ? "" : ",");
		json_string(line);
		first = false;
	}
	if (f)
		fclose(f);
	printf("]");
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The kernel log lines that tell who owns EL2; the journal keeps them after the
 * ring buffer wrapped. */
static void print_boot_log(void)
{
	static const char *const patterns[] = {
		"started at EL",
		"kvm [",
		"VHE",
		"Virtualization Host Extensions",
	};
	char *lines[MAX_BOOT_LINES], line[1024];
	int count = 0, i;
	size_t p;
	FILE *f = popen(
		"{ journalctl -k -b -q --no-pager -o cat; dmesg; } 2>/dev/null",
		"re");

	while (f && count < MAX_BOOT_LINES && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		for (p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
			if (strstr(line, patterns[p])) {
				lines[count++] = strdup(line);
				break;
			}
		}
	}
	if (f)
		pclose(f);
	qsort(lines, count, sizeof(lines[0]), compare_lines);
	printf(",\"boot\":[");
	for (i = 0; i < count; i++) {
		if (i == 0 || strcmp(lines[i], lines[i - 1])) {
			printf("%s", i ? "," : "");
			json_string(lines[i]);
		}
	}
	printf("]");
	for (i = 0; i < count; i++)
		free(lines[i]);
}

static void print_cells(void)
{
	struct dirent **ids;
	int n = scandir(JH_SYSFS "/cells", &ids, NULL, alphasort), i;
	bool first = true;

	printf(",\"cells\":[");
	for (i = 0; i < n; i++) {
		char dir[PATH_MAX], path[PATH_MAX + 32], value[4096];
		static const char *const attrs[][2] = {
			{ "name", "name" },
			{ "state", "state" },
			{ "cpus", "cpus_assigned_list" },
			{ "failed", "cpus_failed_list" },
		};
		size_t a;

		snprintf(dir, sizeof(dir), JH_SYSFS "/cells/%s",
			 ids[i]->d_name);
		if (ids[i]->d_name[0] == '.' || !is_dir(dir)) {
			free(ids[i]);
			continue;
		}
		printf("%s{\"id\":", first ? "" : ",");
		json_string(ids[i]->d_name);
		for (a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
			snprintf(path, sizeof(path), "%s/%s", dir, attrs[a][1]);
			read_text(path, value, sizeof(value));
			print_field(attrs[a][0], value, false);
		}
		printf("}");
		first = false;
		free(ids[i]);
	}
	if (n >= 0)
		free(ids);
	printf("]");
}

static void print_jailhouse(void)
{
	static const char *const counters[] = {
		"enabled",	   "mem_pool_size",   "mem_pool_used",
		"remap_pool_size", "remap_pool_used",
	};
	char path[256], value[4096];
	size_t i;

	printf(",\"module\":%s",
	       is_dir("/sys/module/jailhouse") ? "true" : "false");
	if (!is_dir(JH_SYSFS)) {
		printf(",\"jailhouse\":null,\"cells\":[]");
		return;
	}
	printf(",\"jailhouse\":{");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), JH_SYSFS "/%s", counters[i]);
		read_text(path, value, sizeof(value));
		print_field(counters[i], value, i == 0);
	}
	read_text(JH_SYSFS "/last_error", value, sizeof(value));
	value[strcspn(value, "\n")] = 0;
	print_field("last_error", value, false);
	printf("}");
	print_cells();
}

static void load_cache(struct hash_cache *cache)
{
	char line[PATH_MAX + 256];
	FILE *f = fopen(cache->file, "re");

	while (f && cache->count < MAX_CACHED && fgets(line, sizeof(line), f)) {
		struct cached_hash *e = &cache->entry[cache->count];
		int used = 0;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%64s %lld %lld %lld %llu %n", e->hash,
			   &e->size, &e->mtime_ns, &e->ctime_ns, &e->ino,
			   &used) == 5 &&
		    used > 0 && strlen(e->hash) == 64 &&
		    strlen(line + used) < sizeof(e->path)) {
			strcpy(e->path, line + used);
			cache->count++;
		}
	}
	if (f)
		fclose(f);
}

/* Best effort: a cache that cannot be written only costs the next read a hash.
 */
static void save_cache(struct hash_cache *cache)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *slash;
	FILE *f;
	int i;

	if (!cache->dirty)
		return;
	snprintf(dir, sizeof(dir), "%s", cache->file);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0755);
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", cache->file, (int)getpid());
	f = fopen(tmp, "we");
	if (!f)
		return;
	for (i = 0; i < cache->count; i++) {
		struct cached_hash *e = &cache->entry[i];

		fprintf(f, "%s %lld %lld %lld %llu %s\n", e->hash, e->size,
			e->mtime_ns, e->ctime_ns, e->ino, e->path);
	}
	if (fclose(f) == 0)
		rename(tmp, cache->file);
	else
		unlink(tmp);
}

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* The file's hash, from the cache while the file is unchanged; NULL if it is no
 * regular file. */
static const char *file_hash(struct hash_cache *cache, const char *path)
{
	struct cached_hash fresh, *slot = NULL;
	struct stat st;
	int i;

	if (stat(path, &st) || !S_ISREG(st.st_mode) ||
	    strlen(path) >= sizeof(fresh.path))
		return NULL;
	for (i = 0; i < cache->count; i++) {
		struct cached_hash *e = &cache->entry[i];

		if (strcmp(e->path, path))
			continue;
		if (e->size == st.st_size && e->mtime_ns == ns(&st.st_mtim) &&
		    e->ctime_ns == ns(&st.st_ctim) && e->ino == st.st_ino)
			return e->hash;
		slot = e;
	}
	if (sha256_file(path, fresh.hash))
		return NULL;
	fresh.size = st.st_size;
	fresh.mtime_ns = ns(&st.st_mtim);
	fresh.ctime_ns = ns(&st.st_ctim);
	fresh.ino = st.st_ino;
	strcpy(fresh.path, path);
	if (!slot && cache->count < MAX_CACHED)
		slot = &cache->entry[cache->count++];
	if (!slot)
		slot = &cache->entry[0];
	*slot = fresh;
	cache->dirty = true;
	return slot->hash;
}

static void print_files(const char *name, const char **paths, int count,
			struct hash_cache *cache)
{
	char value[4096];
	int i;

	printf(",\"%s\":{", name);
	for (i = 0; i < count; i++) {
		const char *hash = NULL;

		json_string(paths[i]);
		printf(":");
		if (cache) {
			hash = file_hash(cache, paths[i]);
		} else {
			struct stat st;

			if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode)) {
				read_text(paths[i], value, sizeof(value));
				hash = value;
			}
		}
		if (hash)
			json_string(hash);
		else
			printf("null");
		printf("%s", i + 1 < count ? "," : "");
	}
	printf("}");
}

static int state_usage(const char *why)
{
	fprintf(stderr,
		"jailhouse state: %s\n"
		"Usage: jailhouse state --json [--boot-log] [--hash FILE]... "
		"[--text FILE]... [--cache FILE]\n",
		why);
	return 1;
}

int cmd_state(int argc, char **argv)
{
	static struct hash_cache cache = { .file = DEFAULT_CACHE };
	const char *hashes[MAX_FILES], *texts[MAX_FILES];
	int nhashes = 0, ntexts = 0, i;
	bool json = false, boot_log = false;
	static char value[8192];
	struct utsname uts;

	for (i = 2; i < argc; i++) {
		bool takes_file = !strcmp(argv[i], "--hash") ||
				  !strcmp(argv[i], "--text") ||
				  !strcmp(argv[i], "--cache");

		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--boot-log")) {
			boot_log = true;
		} else if (takes_file) {
			if (i + 1 >= argc || argv[i + 1][0] != '/')
				return state_usage(
					"give an absolute path after --hash, --text and --cache");
			if (!strcmp(argv[i], "--cache"))
				cache.file = argv[i + 1];
			else if ((argv[i][2] == 'h' ? nhashes : ntexts) >=
				 MAX_FILES)
				return state_usage("too many files");
			else if (argv[i][2] == 'h')
				hashes[nhashes++] = argv[i + 1];
			else
				texts[ntexts++] = argv[i + 1];
			i++;
		} else {
			return state_usage("unknown option");
		}
	}
	if (!json)
		return state_usage("only --json output is provided");

	uname(&uts);
	printf("{\"format\":1");
	print_field("hostname", uts.nodename, false);
	print_field("kernel", uts.release, false);
	read_text("/sys/devices/system/cpu/online", value, sizeof(value));
	print_field("online", value, false);
	read_text("/proc/cmdline", value, sizeof(value));
	print_field("cmdline", value, false);
	print_ram();
	if (boot_log)
		print_boot_log();
	print_jailhouse();
	load_cache(&cache);
	print_files("hashes", hashes, nhashes, &cache);
	print_files("texts", texts, ntexts, NULL);
	printf("}\n");
	save_cache(&cache);
	return fflush(stdout) ? 1 : 0;
}
