# Makefile: the front door. `make demo` and `make check` do all the set-up on a fresh
# Debian 12 machine (dependencies, build, run); the build itself is CMake (CMakeLists.txt).
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
PREFIX     ?= /usr/local
MAKEFLAGS  += --no-print-directory

.PHONY: all deps build build-asan demo check test test-asan bench install valgrind clean

all: build

deps:
	bash scripts/deps.sh

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

$(BUILD_ASAN)/Makefile:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DVIGIE_SANITIZE=ON

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

build-asan: $(BUILD_ASAN)/Makefile
	cmake --build $(BUILD_ASAN) -j$(JOBS)

# Installs, builds, runs the daemon on the embedded configuration and a simulated cruise.
demo: deps
	$(MAKE) build
	bash scripts/demo.sh $(BUILD)/vigie

test: build
	cd $(BUILD) && ctest --output-on-failure -j2

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j2

# Installs, builds (normal and sanitizer builds) and runs every test in both.
check: deps
	$(MAKE) test
	$(MAKE) test-asan

bench: deps
	$(MAKE) build
	bash bench/run.sh $(BUILD)

# The daemon's integration tests with the daemon under valgrind (any memory error or
# definite leak makes its exit status 99, which the tests check); then the unit tests.
valgrind: build
	cd $(BUILD) && VIGIE_DAEMON_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$(CURDIR)/tests/valgrind/libdb.supp" \
	  ctest -R integration --output-on-failure
	cd $(BUILD) && ctest -R unit -T memcheck --overwrite MemoryCheckSuppressionFile=$(CURDIR)/tests/valgrind/libdb.supp --output-on-failure

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
