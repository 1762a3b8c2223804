/* SPDX-License-Identifier: MIT */
/* RFC 3339 UTC timestamps, one implementation for every command. */
#ifndef DG_UTC_H
#define DG_UTC_H

#include <stdint.h>

#define DG_UTC_LEN 21	/* "YYYY-MM-DDTHH:MM:SSZ" and a NUL */

/*
 * @t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into @out; -ERANGE
 * (and an empty string) outside years 0..9999.  It does not read the local
 * time zone file, as glibc's strftime() and gmtime_r() do on their first
 * call, for a UTC string.
 */
int dg_utc_format(char out[DG_UTC_LEN], int64_t t);

#endif
