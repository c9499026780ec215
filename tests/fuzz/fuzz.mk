# fuzz.mk - libFuzzer harnesses over atoll's input parsers (tests/fuzz/README.md), included
# from the root Makefile. Every tests/fuzz/fuzz_NAME.c is a harness: its seeds live in
# tests/fuzz/corpus/fuzz_NAME/, the inputs of bugs fixed since in tests/fuzz/regressions/
# fuzz_NAME/, and its dictionary is FUZZ_DICT_fuzz_NAME or else tests/fuzz/fuzz_NAME.dict.
#
#   make fuzz        build every harness and fuzz each for FUZZ_TIME seconds (new inputs in
#                    build-fuzz/corpus/NAME; FUZZ_FLAGS adds libFuzzer flags, e.g. -runs=N)
#   make fuzz-smoke  each harness over its seeds and regressions plus FUZZ_SMOKE_TIME seconds
#
# The library is compiled again with clang, the fuzzer's coverage and the sanitizers, in its
# own folder: nothing is shared with $(BUILD).
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 10
FUZZ_FLAGS ?=
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
               $(shell mpicc --showme:compile 2>/dev/null)
FUZZ_LDLIBS = $(LDLIBS) $(shell mpicc --showme:link 2>/dev/null)

FUZZ_NAMES := $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
# The library less the command's body (src/cli), which no harness reaches.
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter-out src/cli/%,$(LIB_SRC)))
FUZZ_LIB := $(FUZZ_BUILD)/libatoll.a
FUZZ_SUPPORT_OBJ := $(FUZZ_BUILD)/tests/fuzz/support.o

FUZZ_DICT_fuzz_config := tests/fuzz/ini.dict
FUZZ_DICT_fuzz_set := tests/fuzz/ini.dict
fuzz_dict_flag = $(addprefix -dict=,$(or $(FUZZ_DICT_$(1)),$(wildcard tests/fuzz/$(1).dict)))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-deps
fuzz-build: $(FUZZ_BIN)
# clang, its sanitizer runtimes and the symbolizer, installed when missing.
fuzz-deps:
	@.ci/deps fuzz
# the harness objects are made by a chain of rules: keep them, so nothing rebuilds each time
.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_BUILD)/tests/fuzz/%.o) $(FUZZ_SUPPORT_OBJ)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ATOLL_CPPFLAGS) $(CPPFLAGS) $(ATOLL_CFLAGS) $(FUZZ_CFLAGS) \
	  -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT_OBJ) $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@failed=0; $(foreach h,$(FUZZ_NAMES),sh tests/fuzz/run $(FUZZ_BUILD)/$(h) $(FUZZ_TIME) \
	  $(FUZZ_BUILD)/corpus/$(h) $(call fuzz_dict_flag,$(h)) $(FUZZ_FLAGS) || failed=1;) \
	  test $$failed = 0

fuzz-smoke: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@rm -rf $(FUZZ_BUILD)/smoke
	@failed=0; $(foreach h,$(FUZZ_NAMES),sh tests/fuzz/run $(FUZZ_BUILD)/$(h) $(FUZZ_SMOKE_TIME) \
	  $(FUZZ_BUILD)/smoke/$(h) $(call fuzz_dict_flag,$(h)) || failed=1;) \
	  test $$failed = 0

-include $(wildcard $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BUILD)/tests/fuzz/*.d)
