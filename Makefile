# DiskDB build, run, test and benchmark entry points.
#
#   make run    installs build dependencies, builds, starts a server on ./diskdb-data
#   make test   builds and runs every test (Rust unit + integration, redis-py, clients)
#   make bench  redis-benchmark against DiskDB and redis-server in the same run
#   make bench-idle  connection bursts and memory per idle client, beside redis-server
#
# One cargo profile (release) serves run, test and bench so RocksDB's C++ is compiled
# once; the target directory lives outside the checkout and survives fresh clones.

CARGO_TARGET_DIR ?= $(HOME)/.cache/diskdb/target
export CARGO_TARGET_DIR
VENV ?= $(HOME)/.cache/diskdb/venv
BIN := $(CARGO_TARGET_DIR)/release/diskdb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := clang libclang-dev redis-server redis-tools python3-venv netcat-openbsd iproute2 liblua5.1-0-dev

.PHONY: deps build run test test-rust test-python bench bench-idle clean-data docker

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

test: build $(VENV)/bin/pytest
	cargo test --release -- --test-threads=2
	DISKDB_BIN=$(BIN) $(VENV)/bin/pytest -q tests/python
	@if [ -d clients/python ]; then DISKDB_BIN=$(BIN) $(VENV)/bin/python -m pytest -q clients/python; fi
	@if [ -d clients/go ]; then cd clients/go && DISKDB_BIN=$(BIN) go test ./...; fi

bench: build
	cargo build --release --example txn_bench
	DISKDB_BIN=$(BIN) bash benches/compare.sh

bench-idle: build
	DISKDB_BIN=$(BIN) python3 benches/idle_clients.py

clean-data:
	rm -rf diskdb-data
