# The fuzz targets: a clang build with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, apart from the normal (gcc) build.  Run
# by `make fuzz` in a configured build directory, which passes the
# library's sources (SRCS), the targets (TARGETS), the dependencies'
# flags and the source directory.  GNU make.
FUZZ_CC = clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -I. -I$(srcdir)/src \
	-I$(srcdir)/src/core -I$(srcdir)/tests/fuzz $(DEP_CFLAGS)

O = tests/fuzz/obj
LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(filter %.c,$(SRCS)))
BINS := $(TARGETS:%=tests/fuzz/bin/fuzz_%)
# Targets that drive a client through the fake transport (fake_http.c).
HTTP_FAKE = asm blob

all: $(BINS)

$(O)/%.o: $(srcdir)/%.c config.h
	@mkdir -p $(@D)
	@echo "  CC (fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	    -c -o $@ $<

$(O)/libclouddp.a: $(LIB_OBJS)
	@rm -f $@
	@ar cr $@ $(LIB_OBJS)

$(O)/tests/fuzz/%.o: $(srcdir)/tests/fuzz/%.c $(srcdir)/tests/fuzz/fuzz.h \
    $(srcdir)/tests/fuzz/fake_http.h config.h
	@mkdir -p $(@D)
	@echo "  CC (fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	    -c -o $@ $<

$(HTTP_FAKE:%=tests/fuzz/bin/fuzz_%): $(O)/tests/fuzz/fake_http.o

tests/fuzz/bin/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(O)/tests/fuzz/fuzz_util.o \
    $(O)/libclouddp.a
	@mkdir -p $(@D)
	@echo "  CCLD (fuzz) $@"
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
	    $(O)/tests/fuzz/fuzz_util.o \
	    $(if $(filter $*,$(HTTP_FAKE)),$(O)/tests/fuzz/fake_http.o) \
	    $(O)/libclouddp.a $(DEP_LIBS)

.PHONY: all
.SECONDARY:
