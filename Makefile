# The two quick-start commands (README):
#   make run    install what is missing, build, start baton on its embedded defaults
#   make test   install what is missing, build, run the whole test suite (plus an ASan/UBSan pass)
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: run test build deps test-deps bench bench-smoke bench-peers clean

deps:
	@scripts/setup.sh

test-deps:
	@scripts/setup.sh --test

# Only the binary: the test targets take most of a full build (make test builds them).
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target baton

run: build
	$(BUILD)/baton serve --stdio

test: test-deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DBATON_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	scripts/fuzz.sh 15
	@cmake --build $(BUILD) -j $(JOBS) --target bench_all
	bench/run.sh $(BUILD) --smoke
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE client --timeout 600
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench:
	@scripts/setup.sh
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS)
	@if [ -x bench/run.sh ]; then bench/run.sh build-release; else echo "no benchmarks yet"; fi

bench-smoke:
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS) --target baton bench_all
	bench/run.sh build-release --smoke

bench-peers:
	@scripts/setup.sh
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS) --target baton bench_all
	bench/peers.sh build-release

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release
