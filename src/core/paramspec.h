/* paramspec.h - build a search space from the [param NAME] sections of a config. */
#ifndef ATOLL_CORE_PARAMSPEC_H
#define ATOLL_CORE_PARAMSPEC_H

#include "core/config.h"
#include "core/space.h"

/*
 * Add one parameter to `space` for every section named "param NAME", in file order (then
 * those created by --set). Keys: type (required: real, int or choice); for real and int, low
 * and high (required numbers, low < high, integral for int) and scale (linear or log, default
 * linear; log needs low > 0); for choice, values (required comma-separated list, no repeats).
 * Keys that do not belong to the type stay unread, so atoll_config_check_unused() reports
 * them. At most 10,000 parameters; for real and int, high - low must be finite (so
 * -1e308..1e308 is refused). Errors are ATOLL_ERR_USAGE located at the offending key, e.g.
 * "x.ini:12: [param lr] high: must be > low (got 0.5 <= 1)". `cfg` and `space` are borrowed;
 * on error the parameters added before the failing section stay in `space`.
 */
int atoll_space_from_config(atoll_config *cfg, atoll_space *space);

#endif
