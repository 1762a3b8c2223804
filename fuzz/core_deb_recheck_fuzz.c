// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the trusted core's re-checks of deb handler answers
 * (src/core/deb/deb_check.c).  A compromised handler controls the answer,
 * and the text (a Release, a Packages file) is the attacker's until its
 * hash is checked, so both must survive any bytes.
 *   data = u8 kind (mod 3: 0 Release, 1 Packages, 2 .deb archive) ||
 *          le32 text length || text (the .deb for kind 2) || answer
 * An accepted Packages answer has every record looked up and re-checked,
 * an accepted archive answer every regular file listed and hashed.
 */
#include <stdint.h>
#include <string.h>

#include "../src/core/deb/deb_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static int each_file(const struct dg_deb_file *f, void *ctx)
{
	(void)ctx;
	sink += strlen(f->path) + f->size + f->sha256[0];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deb_release rel;
	struct deb_packages p;
	struct dg_deb_pkg pkg;
	char err[256];
	size_t tlen, i;

	if (size < 5)
		return 0;
	tlen = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 |
	       (size_t)data[4] << 24;
	if (tlen > size - 5)
		return 0;
	if (data[0] % 3 == 2) {
		struct deb_tar t;

		if (deb_check_archive(data + 5, tlen, data + 5 + tlen, size - 5 - tlen, &t, err,
				      sizeof(err)) == 0)
			deb_tar_each_file(&t, each_file, NULL, err, sizeof(err));
		return 0;
	}
	if (data[0] % 3 == 0) {
		if (deb_check_release(data + 5, tlen, data + 5 + tlen, size - 5 - tlen, &rel,
				      err, sizeof(err)) == 0) {
			for (i = 0; i < rel.n; i++)
				sink += rel.e[i].size + data[5 + rel.e[i].path_off] +
					data[5 + rel.e[i].path_off + rel.e[i].path_len - 1];
			deb_release_free(&rel);
		}
		return 0;
	}
	if (deb_check_packages(data + 5, tlen, data + 5 + tlen, size - 5 - tlen, &p, err,
			       sizeof(err)) < 0)
		return 0;
	for (i = 0; i < p.n_records; i++) {
		const struct deb_idx *x = deb_packages_find(&p, p.idx[i].sha256, p.idx[i].size);

		if (x && deb_check_record(&p, x->rec, &pkg, err, sizeof(err)) == 0) {
			sink += strlen(pkg.package) + strlen(pkg.version) +
				strlen(pkg.architecture) + strlen(pkg.filename) + pkg.size;
			dg_deb_pkg_free(&pkg);
		}
	}
	deb_packages_free(&p);
	return 0;
}
