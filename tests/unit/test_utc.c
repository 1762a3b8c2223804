// SPDX-License-Identifier: MIT
/*
 * dg_utc_format() against glibc's gmtime_r() as the reference for the
 * calendar (strftime's %Y would not pad years below 1000 to four digits,
 * which RFC 3339 wants).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "utc.h"
#include "tap.h"

/* 0, or 1 after printing the first disagreement for @t. */
static int differs(int64_t t)
{
	char got[DG_UTC_LEN], want[64] = "";
	time_t tt = (time_t)t;
	struct tm tm;
	int r = dg_utc_format(got, t);
	int in_range = gmtime_r(&tt, &tm) && tm.tm_year >= -1900 && tm.tm_year <= 9999 - 1900;

	if (in_range)
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (in_range ? r == 0 && !strcmp(got, want) : r == -ERANGE && !got[0])
		return 0;
	printf("# %lld: got %d '%s', libc '%s'\n", (long long)t, r, got, want);
	return 1;
}

TEST(test_utc_matches_libc_at_the_edges)
{
	static const int64_t v[] = {
		0, -1, 1, 86399, 86400, -86400, -86401, 951782400 /* 2000-02-29 */,
		951868799, 4107542400 /* 2100-03-01 */, 1700000000, 2147483647, 2147483648,
		4294967295, -62167219200 /* 0000-01-01 */, -62167219201,
		253402300799 /* 9999-12-31T23:59:59 */, 253402300800, INT64_MAX, INT64_MIN,
		(INT64_C(1) << 40), -(INT64_C(1) << 40),
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		bad += differs(v[i]);
	CHECK(bad == 0, "%d of %zu edge values differ from libc", bad, sizeof(v) / sizeof(v[0]));
}

TEST(test_utc_matches_libc_across_ten_thousand_years)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int64_t lo = -62167219200 - 86400 * 400LL, span = 253402300800 - lo + 86400 * 400LL;
	int i, bad = 0;

	/* a day apart for the first 2000 years, then pseudo-random seconds */
	for (i = 0; i < 730500 && bad < 5; i++)
		bad += differs(-62167219200 + (int64_t)i * 86400 + i % 86400);
	for (i = 0; i < 200000 && bad < 5; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bad += differs(lo + (int64_t)(x % (uint64_t)span));
	}
	CHECK(bad == 0, "values differ from libc");
}

int main(void)
{
	RUN(test_utc_matches_libc_at_the_edges);
	RUN(test_utc_matches_libc_across_ten_thousand_years);
	return tap_done();
}
