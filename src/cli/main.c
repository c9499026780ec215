/* main.c - the atoll command: everything is atoll_main, in the library (src/cli/cli.c). */
#include "atoll.h"

int main(int argc, char **argv)
{
    return atoll_main(argc, argv);
}
