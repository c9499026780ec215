/* search.c - atoll_search from code with no config file: the overrides alone make the run.
 * Usage: mpirun -np N search OUT_DIR. Exits 0 when the search succeeded and every call saw a
 * well-formed point. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atoll.h"

/* (x - 0.5)^2 + (n - 3)^2, plus 1 unless the choice is "b". */
static int score(const atoll_params *params, atoll_result *result, void *ctx)
{
    (void)ctx;
    double x = atoll_params_get(params, "x"), n = atoll_params_get(params, "n");
    const char *c = atoll_params_get_str(params, "c");
    if (atoll_params_count(params) != 3 || isnan(x) || n != floor(n) || !c ||
        atoll_params_get_str(params, "x") || !isnan(atoll_params_get(params, "nope")) ||
        atoll_params_trial(params) < 0 || atoll_params_rank(params) < 0)
        return 1; /* a malformed view ends the run with an error */
    result->value = (x - 0.5) * (x - 0.5) + (n - 3) * (n - 3) + (strcmp(c, "b") == 0 ? 0 : 1);
    result->status = ATOLL_STATUS_OK;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: search OUT_DIR\n");
        return 2;
    }
    static const char *const sets[] = {
        "run.evaluations=300", "run.seed=3",         "ga.population=16",
        "objective.type=score", "param x.type=real", "param x.low=-1",
        "param x.high=1",       "param n.type=int",  "param n.low=0",
        "param n.high=6",       "param c.type=choice", "param c.values=a, b, c",
    };
    int rc = atoll_register_objective("score", score, NULL);
    if (rc == ATOLL_OK)
        rc = atoll_search(NULL, sets, sizeof sets / sizeof sets[0], argv[1], 1);
    if (rc != ATOLL_OK)
        fprintf(stderr, "search: %s\n", atoll_error_message());
    return rc == ATOLL_OK ? 0 : 1;
}
