/* SPDX-License-Identifier: ISC */
/*
 * flowtally-probe: captures packets, folds them into flows and exports
 * them as IPFIX. This placeholder only parses its options.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "-V") == 0) {
		printf("flowtally-probe %s\n", PACKAGE_VERSION);
		return 0;
	}
	printf("usage: flowtally-probe [-dhV] [-f file]\n");
	return argc > 1 && strcmp(argv[1], "-h") == 0 ? 0 : 1;
}
