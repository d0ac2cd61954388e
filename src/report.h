/* SPDX-License-Identifier: MIT */
/*
 * report.h: reports of a stored run (results.h) in the formats of
 * `yardstick report`. Uses results, gate, cJSON.
 */
#ifndef YS_REPORT_H
#define YS_REPORT_H

#include <stdio.h>

#include "err.h"
#include "results.h"

#endif
