/* SPDX-License-Identifier: ISC */
/*
 * The GError domain and codes of flowtally's library-like modules. They
 * fill a GError and never log; the daemon layer logs it once.
 */
#ifndef FT_ERROR_H
#define FT_ERROR_H

#include <glib.h>

#define FT_ERROR (ft_error_quark())

enum ft_error_code {
	FT_ERROR_SYNTAX = 1, /* malformed text: value, line, expression */
	FT_ERROR_RANGE,      /* a number out of its range */
	FT_ERROR_UNKNOWN,    /* unknown key, primitive or name */
	FT_ERROR_SCOPE,      /* a key used where it is not allowed */
	FT_ERROR_IO,         /* file or socket failure */
	FT_ERROR_SHORT,      /* input ended early */
	FT_ERROR_MALFORMED,  /* input present but not valid */
	FT_ERROR_FULL,       /* a bounded container is full */
};

GQuark ft_error_quark(void);

#endif
