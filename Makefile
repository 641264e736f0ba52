# The two commands of README.md. Everything else is CMake.
BUILD  ?= build
CONFIG ?= experiments/quickstart.yaml
JOBS   ?= $(shell nproc)

.PHONY: run test build setup bench clean

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt: | setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/poda run $(CONFIG)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run_all.sh $(BUILD)

clean:
	rm -rf $(BUILD)
