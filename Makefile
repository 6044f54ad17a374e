# A thin front to CMake: the README's two commands, `make demo` and `make test`.
BUILD ?= build
TEST_BUILD ?= build-test
DEMO_DB ?= $(BUILD)/demo/docket.db
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEPS = $(shell grep -v '^\#' deps.txt)
SOURCES = $(wildcard src/*.c src/*.h src/cmd/*.c include/docket/*.h tests/unit/*.[ch] tests/bench/*.c)

.PHONY: all deps build demo test lint bench clean

all: build

# Installs what deps.txt lists: with apt-get as root, else prints the one command to run.
deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	missing=$$(echo $$missing); \
	if [ "$$(id -u)" = 0 ]; then \
		echo "make deps: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "make deps: missing packages; run:"; \
		echo "  sudo apt-get update && sudo apt-get install -y $$missing"; \
		exit 1; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DBUILD_TESTING=OFF >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Creates the demo store once (a second run reuses it), prints the progress list and the
# progress report, and writes the HTML report beside the store.
demo: build
	@mkdir -p $(dir $(DEMO_DB))
	@[ -f $(DEMO_DB) ] || ./$(BUILD)/docket -d $(DEMO_DB) init
	./$(BUILD)/docket -d $(DEMO_DB) list
	@echo
	./$(BUILD)/docket -d $(DEMO_DB) report
	@./$(BUILD)/docket -d $(DEMO_DB) report --format html -o $(dir $(DEMO_DB))progress.html
	@echo "demo store: $(DEMO_DB); HTML report: $(dir $(DEMO_DB))progress.html"
	@echo "try: ./$(BUILD)/docket -d $(DEMO_DB) show ceb"

lint: deps
	clang-format --dry-run --Werror $(SOURCES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
		--inline-suppr -Iinclude -Isrc src

# Builds with warnings as errors and runs every test.
test: deps lint
	cmake -S . -B $(TEST_BUILD) -DDOCKET_WERROR=ON -DBUILD_TESTING=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

# Times the commands on a generated store of 10,000 items and 100,000 events (about a minute to
# generate once) beside the sqlite3 shell; prints a Markdown table.
bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
	cmake --build build-bench -j $(JOBS) --target docket docket-bench-gen
	python3 tests/bench/bench.py build-bench $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench
