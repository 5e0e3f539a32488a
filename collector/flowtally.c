/* SPDX-License-Identifier: ISC */
/*
 * flowtally: placeholder that answers -h and -V only.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "-V") == 0) {
		printf("flowtally %s\n", PACKAGE_VERSION);
		return 0;
	}
	printf("usage: flowtally [-hV]\n");
	return argc > 1 && strcmp(argv[1], "-h") == 0 ? 0 : 1;
}
