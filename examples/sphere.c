/* sphere.c - the C API in one file: a registered objective, then the whole atoll command. */

/*
 * Build and run:
 *   mpicc sphere.c $(pkg-config --cflags --libs --static atoll) -o sphere
 *   mpirun -np 4 ./sphere run quadratic.ini --out runs/q
 * Every subcommand of atoll works (`./sphere check quadratic.ini`, `./sphere --help`), and
 * `[objective] type = quadratic` names the function below.
 */
#include <stdio.h>

#include "atoll.h"

/* sum over every parameter of (x_i - 0.5)^2: minimum 0 at x_i = 0.5. */
static int quadratic(const atoll_params *params, atoll_result *result, void *ctx)
{
    (void)ctx;
    double sum = 0.0;
    for (size_t i = 0; i < atoll_params_count(params); i++) {
        double x = atoll_params_get(params, atoll_params_name(params, i));
        sum += (x - 0.5) * (x - 0.5);
    }
    result->value = sum;
    result->status = ATOLL_STATUS_OK;
    return 0;
}

int main(int argc, char **argv)
{
    if (atoll_register_objective("quadratic", quadratic, NULL) != ATOLL_OK) {
        fprintf(stderr, "%s\n", atoll_error_message());
        return 2;
    }
    return atoll_main(argc, argv);
}
