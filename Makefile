# A thin front to CMake: the README's two commands, `make demo` and `make test`.
BUILD ?= build
TEST_BUILD ?= build-test
DEMO_DB ?= $(BUILD)/demo/docket.db
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEPS = $(shell grep -v '^\#' deps.txt)
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
VALGRIND_BUILD ?= build-valgrind
SOURCES = $(wildcard src/*.c src/*.h src/cmd/*.c include/docket/*.h tests/unit/*.[ch] \
	tests/bench/*.c tests/reliability/*.c tests/fuzz/*.[ch] cmake/*.c)
# Prints the figures ("# ..." lines) that the reliability tests printed in a ctest run's log.
FIGURES = awk '/^[0-9]+\/[0-9]+ Test: /{t = $$3; if (t ~ /^rel_/) print "== " t} \
	/^\# / && t ~ /^rel_/'
# What the sanitizers do on a finding: stop, with a stack, so that the test fails. ASan lets
# test_restore preload nothread.so before its own runtime. Its quarantine (freed memory held
# back to catch a use after free) is 16 MiB rather than 256: a command that allocates much, a
# restore or a batch of 1,000 sets, otherwise touches hundreds of MiB of fresh pages and runs
# about three times slower on a small virtual machine.
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0:quarantine_size_mb=16 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: all deps build demo test lint bench fuzz valgrind clean

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

# Runs lint, then builds with warnings as errors and runs every test: unit, cli, reliability and
# integration (the sync tests each start an etcd cluster); then the unit and cli tests (and the
# reliability tests labelled asan) again in a build with ASan and UBSan; then each fuzz target
# for 15 s.
# A failing phase does not stop the later ones: every failure is shown, and the exit code is
# non-zero if any phase failed.
test: deps lint
	cmake -S . -B $(TEST_BUILD) -DDOCKET_WERROR=ON -DBUILD_TESTING=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cmake -S . -B $(ASAN_BUILD) -DDOCKET_SANITIZE=ON -DDOCKET_WERROR=ON -DBUILD_TESTING=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	@rc=0; \
	echo "== tests (unit, cli, reliability, integration)"; \
	(cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)) || rc=1; \
	$(FIGURES) $(TEST_BUILD)/Testing/Temporary/LastTest.log; \
	echo "== tests under ASan and UBSan (unit, cli, asan)"; \
	(cd $(ASAN_BUILD) && $(SANITIZER_ENV) \
		ctest --output-on-failure -j $(JOBS) -L 'unit|cli|asan') || rc=1; \
	$(FIGURES) $(ASAN_BUILD)/Testing/Temporary/LastTest.log; \
	echo "== fuzzing, 15 s per target"; \
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=15 || rc=1; \
	exit $$rc

# Runs each libFuzzer target (tests/fuzz) for FUZZ_SECONDS from its committed corpus; a crash
# leaves its input in $(FUZZ_BUILD)/tests/fuzz/work/TARGET/artifacts.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DDOCKET_FUZZ=ON -DBUILD_TESTING=OFF \
		-DDOCKET_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_checklist fuzz_date fuzz_report fuzz_etcd fuzz_export \
		fuzz_draft
	cd $(FUZZ_BUILD) && { ctest -V -j $(JOBS) -L fuzz >fuzz.log 2>&1; rc=$$?; \
		sed -n 's/^[0-9]*: //p' fuzz.log | \
		grep -v '^Test command\|^Working Directory\|^Environment\|^Test timeout'; \
		tail -n 1 fuzz.log; exit $$rc; }

# Runs the unit and cli tests under valgrind: 0 errors and 0 bytes definitely lost, or the test
# fails. The kill and concurrency tests are left out: the one sets 1,000 items in each of eleven
# processes, the other starts 500 docket processes even at a sanitizer's rounds (about 1.2 s
# each under valgrind); the ASan build of `make test` runs them.
valgrind: deps
	cmake -S . -B $(VALGRIND_BUILD) -DDOCKET_VALGRIND=ON -DBUILD_TESTING=ON >/dev/null
	cmake --build $(VALGRIND_BUILD) -j $(JOBS)
	cd $(VALGRIND_BUILD) && ctest --output-on-failure -j $(JOBS) -L 'unit|cli' -E 'kill|concurrency'

# Times the commands on generated stores (1,000 items and 10,000 events; 10,000 and 100,000;
# 10,000 and 1,000,000: each generated once, the largest in a few minutes) beside the sqlite3
# shell; prints a Markdown table per size. BENCH_ARGS="--sizes small" picks sizes.
bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
	cmake --build build-bench -j $(JOBS) --target docket docket-bench-gen
	python3 tests/bench/bench.py build-bench $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench $(ASAN_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: a Release build, installed (binary, manual
# pages, bash completion). make deb: the Debian package of a Release build, in $(RELEASE_BUILD).
RELEASE_BUILD ?= build-release
PREFIX ?= /usr/local
.PHONY: release install deb
release:
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build $(RELEASE_BUILD) -j $(JOBS)

install: release
	DESTDIR=$(DESTDIR) cmake --install $(RELEASE_BUILD) --prefix $(PREFIX)

deb: release
	cd $(RELEASE_BUILD) && cpack -G DEB
	@ls $(RELEASE_BUILD)/docket_*.deb
