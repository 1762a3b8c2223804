// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>

#include "utc.h"

/*
 * The civil date of a day count from 1970-01-01 (proleptic Gregorian; the
 * days-from-civil algorithm inverted, in 400-year eras of 146097 days).
 * Not gmtime_r(): glibc's reads the local time zone file on its first
 * call, for a UTC date.
 */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	days += 719468;	/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int dg_utc_format(char out[DG_UTC_LEN], int64_t t)
{
	int64_t days = t / 86400, s = t % 86400, y;
	unsigned m, d;

	out[0] = '\0';
	if (s < 0) {
		s += 86400;
		days--;
	}
	/* beyond 2^40 s (35,000 years) no year fits; below, nothing overflows */
	if (t > (INT64_C(1) << 40) || t < -(INT64_C(1) << 40))
		return -ERANGE;
	civil(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -ERANGE;
	snprintf(out, DG_UTC_LEN, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d,
		 (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
	return 0;
}
