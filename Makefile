# mentorsite: `make run` serves the example site on http://127.0.0.1:8080; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
PORT ?= 8080
N ?= 1000
# Fully static executables: most of a Swift CGI's start-up cost is the dynamic loader
# (DESIGN.md, "Measured here").
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable
BIN := .build/release
# Everything the build, the tests and `make run` use from Debian.
DEBIAN_PACKAGES := libcmark-dev libsqlite3-dev sqlite3 lighttpd nginx fcgiwrap apache2 curl tidy python3
BENCH_PACKAGES := hugo cmark wrk gcc

.PHONY: help deps build debug test unit-test e2e-test run bench clean

help:
	@echo "make run    install dependencies, build, import content/, build public/, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   unit tests (Swift Testing) and end-to-end tests of the static binaries behind lighttpd"
	@echo "make build  release build, fully static executables in $(BIN)/"
	@echo "make bench  import/build/rebuild timings on N synthetic mentors (N=$(N)), compared with Hugo; CGI req/s and booking latency"

deps:
	@scripts/install-deps.sh $(DEBIAN_PACKAGES)

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) 2>&1 | grep -v "in statically linked applications requires at runtime" ; exit $${PIPESTATUS[0]}

debug: deps
	$(SWIFT) build

unit-test: deps
	$(SWIFT) test

e2e-test: build
	python3 Tests/e2e/run_tests.py --bin $(BIN)

test: unit-test e2e-test

run: build
	$(BIN)/mentorsite import
	$(BIN)/mentorsite build
	$(BIN)/mentorsite serve --port $(PORT)

bench: build
	@scripts/install-deps.sh $(BENCH_PACKAGES)
	python3 bench/bench.py --bin $(BIN) --mentors $(N)
	python3 bench/cgi_bench.py --bin $(BIN)

clean:
	rm -rf .build .mentorsite site.sqlite site.sqlite-wal site.sqlite-shm
	find public -mindepth 1 ! -name .gitignore -delete
