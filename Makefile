# DiskDB build, run, test and benchmark entry points.
#
#   make run    installs build dependencies, builds, starts a server on ./diskdb-data
#   make test   builds and runs every test (Rust unit + integration, redis-py, clients)
#   make test-clients-python  the Python client's tests only (BIN=path/to/diskdb to pick a binary)
#   make bench  redis-benchmark against DiskDB and redis-server in the same run
#   make bench-idle  connection bursts and memory per idle client, beside redis-server
#   make test-asan   the unsafe code (shared memory) under AddressSanitizer (nightly)
#   make bench-flood 10,000 idle connections, connect/disconnect churn, slowloris, beside redis-server
#
# One cargo profile (release) serves run, test and bench so RocksDB's C++ is compiled
# once; the target directory lives outside the checkout and survives fresh clones.

CARGO_TARGET_DIR ?= $(HOME)/.cache/diskdb/target
export CARGO_TARGET_DIR
VENV ?= $(HOME)/.cache/diskdb/venv
BIN := $(CARGO_TARGET_DIR)/release/diskdb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := clang libclang-dev redis-server redis-tools python3-venv netcat-openbsd iproute2 openssl liblua5.1-0-dev

.PHONY: deps build run test test-rust test-python test-clients-python test-clients-go test-clients-rust go-deps bench bench-idle bench-flood clean-data docker

# Installs only what is missing, so repeated runs do not touch apt.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "cargo (rustup) is required"; exit 1; }

build: deps
	cargo build --release

run: build
	$(BIN) diskdb.conf.example

$(VENV)/bin/pytest:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r tests/python/requirements.txt

# An existing virtualenv follows requirements.txt when it changes.
$(VENV)/.requirements: tests/python/requirements.txt $(VENV)/bin/pytest
	$(VENV)/bin/pip install -q -r tests/python/requirements.txt
	touch $@

test: build $(VENV)/.requirements
	cargo test --release -- --test-threads=2
	DISKDB_BIN=$(BIN) $(VENV)/bin/pytest -q tests/python
	$(MAKE) --no-print-directory test-clients-python
	$(MAKE) --no-print-directory test-clients-go
	$(MAKE) --no-print-directory test-clients-rust
	$(MAKE) --no-print-directory test-docker

# Packaging (tests/docker.sh): install.sh into a staged root, then the container image
# around $(BIN) (base image by debootstrap, built once and reused by its tag), a container
# with a published port and a volume, restart / rm / stop, and install.sh in a container.
# The container part skips with a printed reason where no Docker engine runs.
# AddressSanitizer over the code with `unsafe` (tests/asan.sh): the shared-memory module's
# unit tests, tests/shm.rs against an ASan server and the Rust client's suite. Nightly
# toolchain; links the RocksDB of the release build. Not part of `make test`.
.PHONY: test-asan
test-asan: build
	bash tests/asan.sh

.PHONY: test-docker
test-docker: build
	DISKDB_BIN=$(BIN) bash tests/docker.sh

# The Go client (clients/go): standard library only, so no module downloads (GOPROXY=off,
# GOTOOLCHAIN=local); Debian's golang-go (1.19) is installed when go is missing. The build
# cache and GOPATH live under ~/.cache/diskdb like the cargo target.
GO_ENV := GOCACHE=$(HOME)/.cache/diskdb/go-build GOPATH=$(HOME)/.cache/diskdb/go \
	GOFLAGS= GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on

go-deps:
	@command -v go >/dev/null 2>&1 || { echo "installing: golang-go"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq golang-go; }

test-clients-go: build go-deps
	cd clients/go && $(GO_ENV) DISKDB_BIN=$(BIN) go test -count=1 ./...

# The Rust client (clients/rust): a standalone crate with its own lock file and target
# directory (small dependencies, no RocksDB), tested against the server binary $(BIN).
test-clients-rust: build
	cd clients/rust && CARGO_TARGET_DIR=$(HOME)/.cache/diskdb/target-clients-rust DISKDB_BIN=$(BIN) \
	  cargo test --release -- --test-threads=2

# The Python client's suite (clients/python/tests): the server binary $(BIN), redis-py
# and pytest from $(VENV); offline (the wheel is built by the in-tree backend).
test-clients-python: $(VENV)/bin/pytest
	DISKDB_BIN=$(BIN) $(VENV)/bin/python -m pytest -q clients/python/tests

bench: build
	cargo build --release --example txn_bench
	DISKDB_BIN=$(BIN) bash benches/compare.sh

bench-idle: build
	DISKDB_BIN=$(BIN) python3 benches/idle_clients.py

bench-flood: build
	DISKDB_BIN=$(BIN) python3 benches/connection_flood.py

clean-data:
	rm -rf diskdb-data
