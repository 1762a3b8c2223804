// SPDX-License-Identifier: MIT
/*
 * Replays a fuzz corpus directory through LLVMFuzzerTestOneInput without
 * libFuzzer, so that `make check` (gcc, ASan+UBSan) runs every corpus file
 * and every crash ever found as a regression test.  Prints TAP: one case per
 * corpus, failing on a crash (the sanitizer aborts the process).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct dirent *e;
	char path[4096];
	DIR *d;
	int count = 0, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		printf("not ok 1 - corpus %s missing\n1..1\n", argv[1]);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		if (replay_file(path) < 0) {
			printf("# cannot read %s\n", path);
			bad++;
		}
		count++;
	}
	closedir(d);
	if (count == 0 || bad)
		printf("not ok 1 - replay_corpus (%d files, %d unreadable)\n1..1\n", count, bad);
	else
		printf("ok 1 - replay_corpus_%d_files_without_crash\n1..1\n", count);
	return count == 0 || bad;
}
