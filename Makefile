# atoll - one non-recursive Makefile: library, command, tests, demo, install.
ifeq ($(origin CC),default)
CC = mpicc
endif
PREFIX ?= /usr/local
BUILD ?= build
PKGS := gsl inih zlib openblas
# CFLAGS is the user's (optimisation, sanitizers); the project's own flags are kept apart so
# that `make CFLAGS=...` can never drop the warnings or the dependency files.
CFLAGS ?= -O2 -g
ATOLL_CPPFLAGS := -Iinclude -Isrc -Itests -D_POSIX_C_SOURCE=200809L
ATOLL_CFLAGS := -std=c11 -Wall -Wextra -Werror -MMD -MP \
                $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# OpenBLAS provides the CBLAS that GSL would otherwise take from its own slow gslcblas.
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null | sed 's/-lgslcblas//') -lpthread -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

# The command's body (src/cli/cli.c: atoll_main, atoll_search) is library code too; only
# main.c stays out, so a user program links libatoll and has the whole command.
LIB_SRC := $(sort $(wildcard src/core/*.c src/comm/*.c src/ml/*.c src/objective/*.c \
                             src/strategy/*.c src/run/*.c) \
                  $(filter-out src/cli/main.c,$(wildcard src/cli/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(BUILD)/src/cli/main.o
LIB := $(BUILD)/libatoll.a
BIN := $(BUILD)/atoll
TEST_SRC := $(sort $(wildcard tests/check_*.c))
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLE_BIN := $(EXAMPLE_SRC:%.c=$(BUILD)/%)
# A test program of the C API under mpirun (atoll_search from overrides alone).
API_TEST_BIN := $(BUILD)/tests/mpi/search
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

export OMPI_ALLOW_RUN_AS_ROOT = 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = 1
export OMPI_MCA_rmaps_base_oversubscribe = 1
export OMPI_MCA_orte_execute_quiet = 1
export OPENBLAS_NUM_THREADS = 1

.PHONY: $(BUILD)/atoll.pc all deps check check-unit check-mpi check-asan check-valgrind check-slurm demo examples install uninstall clean lint
all: $(BIN) $(LIB)

# jobs/atoll.sbatch on a real single-node SLURM that tests/slurm/run-tests starts in a
# temporary folder and always stops (about 4 minutes; needs root or sudo for the daemons).
check-slurm: $(BIN)
	@.ci/deps slurm
	@ATOLL_BIN=$(BIN) tests/slurm/run-tests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ATOLL_CPPFLAGS) $(CPPFLAGS) $(ATOLL_CFLAGS) $(CFLAGS) -c $< -o $@

# The MLP's optimiser loops vectorise their square roots only where sqrtf may skip errno.
$(BUILD)/src/ml/mlp_optim.o: ATOLL_CFLAGS += -fno-math-errno

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ATOLL_CPPFLAGS) $(CPPFLAGS) $(ATOLL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) \
	  $(CHECK_LIBS) $(LDLIBS)

# Programs that use the C API as a user would: only the public header and the library.
examples: $(EXAMPLE_BIN)

$(BUILD)/examples/%: examples/%.c $(LIB) include/atoll.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  $(LIB) $(LDLIBS)

$(API_TEST_BIN): tests/mpi/search.c $(LIB) include/atoll.h
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror $(CFLAGS) $(LDFLAGS) -o $@ $< \
	  $(LIB) $(LDLIBS)

deps:
	@.ci/deps test

# Unit tests (Check, no MPI) then multi-rank tests of the real binary under mpirun: search
# behaviour, checkpoint and resume, injected faults, and 64 ranks x 100,000 trials.
check: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@$(MAKE) --no-print-directory check-unit check-mpi

check-unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; ATOLL_BIN=$(BIN) $$t; done

check-mpi: $(BIN) $(EXAMPLE_BIN) $(API_TEST_BIN)
	@ATOLL_BIN=$(BIN) tests/mpi/run-all
	@ATOLL_BIN=$(BIN) tests/mpi/resume
	@ATOLL_BIN=$(BIN) tests/mpi/faults-run
	@ATOLL_BIN=$(BIN) tests/mpi/faults-input
	@ATOLL_BIN=$(BIN) tests/mpi/scale

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer. Leak checking covers
# the unit tests; under mpirun it is off, since Open MPI's own start-up allocations are
# reported as leaks (valgrind shows none from atoll's code).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(SAN_FLAGS)" \
	  LDFLAGS="-fsanitize=address,undefined" all $(TEST_BIN:$(BUILD)/%=build-asan/%) \
	  $(EXAMPLE_BIN:$(BUILD)/%=build-asan/%) $(API_TEST_BIN:$(BUILD)/%=build-asan/%)
	@set -e; for t in $(TEST_BIN:$(BUILD)/%=build-asan/%); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 CK_FORK=no ATOLL_BIN=build-asan/atoll $$t; done
	@ASAN_OPTIONS=detect_leaks=0 ATOLL_TEST_LDFLAGS="-fsanitize=address,undefined" \
	  ATOLL_BIN=build-asan/atoll tests/mpi/run-all
	@ASAN_OPTIONS=detect_leaks=0 ATOLL_BIN=build-asan/atoll tests/mpi/resume
	@ASAN_OPTIONS=detect_leaks=0 ATOLL_BIN=build-asan/atoll tests/mpi/faults-run
	@ASAN_OPTIONS=detect_leaks=0 ATOLL_BIN=build-asan/atoll tests/mpi/faults-input

# Searches on 2 ranks with every rank under valgrind memcheck (tests/valgrind/run): zero
# errors, zero definite leaks from atoll's code.
check-valgrind: $(BIN)
	@.ci/deps valgrind
	@ATOLL_BIN=$(BIN) tests/valgrind/run

# The main job on a real default: a GA tunes an MLP on Fashion-MNIST over 2 ranks.
demo:
	@.ci/deps demo
	@$(MAKE) --no-print-directory all
	mpirun -np 2 --oversubscribe $(BIN) run configs/mlp-fashion.ini --out runs/demo --force

# atoll.pc for `pkg-config --cflags --libs --static atoll`. libatoll.a is static, so Libs
# names every library it needs (the same flags as LDLIBS); MPI's come from mpicc, which a
# user compiles with, so they are not listed.
$(BUILD)/atoll.pc: src/atoll.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/^#define ATOLL_VERSION "\(.*\)"/\1/p' include/atoll.h)|g' \
	    -e 's|@LIBS@|$(strip $(LDLIBS))|g' $< >$@

install: all $(BUILD)/atoll.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	           $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/atoll
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libatoll.a
	install -m 644 include/atoll.h $(DESTDIR)$(PREFIX)/include/atoll.h
	install -m 644 $(BUILD)/atoll.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/atoll.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/atoll $(DESTDIR)$(PREFIX)/lib/libatoll.a \
	      $(DESTDIR)$(PREFIX)/include/atoll.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/atoll.pc

# MPI belongs to src/comm only.
lint:
	@! grep -rnE '#include *[<"]mpi\.h[>"]|MPI_[A-Z][a-z_]+\(' src include | grep -v '^src/comm/' \
	  || { echo "lint: MPI outside src/comm" >&2; exit 1; }

clean:
	rm -rf $(BUILD)

-include tests/fuzz/fuzz.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
