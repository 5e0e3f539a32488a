/* SPDX-License-Identifier: ISC */
/*
 * Placeholder: the configuration parser lands with the foundation issue.
 */
#include "config.h"
