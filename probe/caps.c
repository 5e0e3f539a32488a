/* SPDX-License-Identifier: ISC */
/*
 * Keeping CAP_NET_RAW and CAP_NET_ADMIN through setresuid() (Linux): the
 * keep-capabilities flag carries the permitted set over the change of
 * user, then capset() narrows it to the two capture rights and makes them
 * effective; everything else, CAP_SETUID included, is gone for good.
 * Raw system calls, so that the probe needs no libcap.
 */
#include "config.h"

#include "probe/caps.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "common/error.h"

static int
caps_fail(GError **err, const char *what)
{
	g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s: %s", what,
		    strerror(errno));
	return -1;
}

int
caps_keep_begin(GError **err)
{
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0)
		return caps_fail(err, "cannot keep capabilities");
	return 0;
}

int
caps_keep_finish(GError **err)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	uint32_t keep = 1u << CAP_NET_RAW | 1u << CAP_NET_ADMIN;

	memset(d, 0, sizeof(d));
	d[0].effective = keep;
	d[0].permitted = keep;
	if (syscall(SYS_capset, &h, d) != 0)
		return caps_fail(err, "cannot keep the capture capabilities");
	if (prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) != 0)
		return caps_fail(err,
				 "cannot clear the keep-capabilities flag");
	return 0;
}
