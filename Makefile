# The two commands of README.md. Everything else is CMake.
# Ninja, not Make: a new source file then recompiles only itself (Make's generator
# rewrites flags.make and with it rebuilds the precompiled header and every object).
BUILD  ?= build
CONFIG ?= experiments/quickstart.yaml
JOBS   ?= $(shell nproc)
# WERROR=ON (CI, .ci/run) configures a new build folder with warnings as errors.
WERROR ?= OFF

.PHONY: run test build setup setup-test bench clean test-asan test-arm fuzz

# `make run` installs and builds only what poda itself needs; the tests' and benchmarks'
# packages and targets come with `make test` / `make bench`. The sweep's runs share the
# cores (--jobs, one BLAS thread each), so the quickstart's latencies are taken beside
# another run's training: `poda bench` times a model alone.
# $(BUILD) compiles the library in batches (PODA_UNITY_BUILD), so a first build parses
# xtensor once a batch, not once a file; a development build folder leaves it off.
setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh test

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODA_WERROR=$(WERROR) \
	  -DPODA_UNITY_BUILD=ON

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target poda
	$(BUILD)/poda run $(CONFIG) --jobs $(JOBS)

test: setup-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own folder. The
# library compiles in batches as in $(BUILD): unbatched, its ASan objects took 1,530 s of
# compile (13 minutes on 2 cores), about a quarter of CI.
ASAN_BUILD ?= build-asan
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 PODA_TEST_TIMEOUT_SCALE=8
# Tests that train for minutes under the sanitizers; see tests/sanitizers/README.md.
ASAN_EXCLUDE ?= $(shell cat tests/sanitizers/excluded_tests.txt | grep -v '^\#' | paste -sd'|')

$(ASAN_BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODA_SANITIZE=address,undefined \
	  -DPODA_UNITY_BUILD=ON

test-asan: setup-test $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target poda poda_tests
	cd $(ASAN_BUILD) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) $(if $(ASAN_EXCLUDE),-E '$(ASAN_EXCLUDE)')

# The kernel library and its tests cross-built for aarch64 (Debian's g++-aarch64-linux-gnu)
# and run under qemu-aarch64: correctness of the NEON build, not its speed.
ARM_BUILD ?= build-arm

$(ARM_BUILD)/CMakeCache.txt:
	scripts/setup.sh arm
	cmake -S . -B $(ARM_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPODA_KERNELS_ONLY=ON \
	  -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DPODA_WERROR=$(WERROR)

test-arm: $(ARM_BUILD)/CMakeCache.txt
	scripts/setup.sh arm
	cmake --build $(ARM_BUILD) -j $(JOBS)
	cd $(ARM_BUILD) && ctest --output-on-failure

# libFuzzer targets (clang), each run for FUZZ_SECONDS from the seeds in tests/fuzz/corpus.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= fuzz_config fuzz_idx fuzz_cifar fuzz_checkpoint fuzz_onnx_import fuzz_cli_args

$(FUZZ_BUILD)/CMakeCache.txt:
	scripts/setup.sh fuzz
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DPODA_SANITIZE=address,undefined -DPODA_FUZZ=ON -DPODA_WITH_MPI=OFF

fuzz: setup $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)
	scripts/run_fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: setup-test build
	bench/run_all.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
