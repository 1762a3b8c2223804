// SPDX-License-Identifier: MIT
/* The sandboxed OpenPGP handler: see pgp_proto.h for its requests. */
#include <digestguard/handler.h>

#include "pgp_parse.h"

int main(void)
{
	return dg_handler_main("pgp", pgp_handle, NULL);
}
