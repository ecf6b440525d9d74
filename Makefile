# The two commands a user needs: `make run` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build run test test-unit test-integration test-asan debug fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja $(BUILD)/Makefile:
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	@ln -sf ../$(BUILD)/src/app/sockudo $(BUILD)/sockudo 2>/dev/null || true

run: build
	$(BUILD)/sockudo

debug: deps
	cmake -S . -B build-debug $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-debug -j $(JOBS)

test: build
	scripts/run-tests.sh $(BUILD)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-integration: build
	scripts/run-integration.sh $(BUILD)/sockudo

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCKUDO_SANITIZE=ON -DSOCKUDO_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ln -sf ../$(ASAN_BUILD)/src/app/sockudo $(ASAN_BUILD)/sockudo
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/run-tests.sh $(ASAN_BUILD)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSOCKUDO_FUZZ=ON -DSOCKUDO_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)
	scripts/run-fuzz.sh build-fuzz $(or $(FUZZ_SECONDS),30)

bench: build
	npm ci --prefix bench/soketi --no-audit --no-fund
	node bench/compare.js $(BENCH_ARGS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-debug build-fuzz
