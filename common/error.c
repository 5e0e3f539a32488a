/* SPDX-License-Identifier: ISC */
/*
 * The GError domain shared by flowtally's library-like modules.
 */
#include "error.h"

G_DEFINE_QUARK(flowtally - error - quark, ft_error)
