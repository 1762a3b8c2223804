# Thin wrapper around meson + ninja.  `make demo` and `make check` install
# any missing Debian build packages first (as root), so they work on a fresh
# Debian 12.
BUILD ?= build
ASAN ?= build-asan
# Packages the build, the tests and the differential peers need.
DEPS := gcc libc6-dev make meson ninja-build pkg-config python3 \
	libssl-dev zlib1g-dev bubblewrap
# rpm: differential peers and fixture generation (rpm, rpmbuild, rpmsign); bc for bench/rpm.sh
DEPS += rpm rpm2cpio cpio gnupg bc
# enforcer: evmctl replays our IMA log.  (Not fapolicyd, the bench peer:
# its package may start a system-wide daemon; bench/exec.sh says how.
# `make check` unpacks the package instead, for the differential test of
# `db export --format fapolicyd` against fapolicyd-cli, which needs lmdb.)
DEPS += ima-evm-utils liblmdb0
# enforce --tpm: tpm2-tss to build; swtpm and tpm2-tools to test it
DEPS += libtss2-dev swtpm swtpm-tools tpm2-tools
# pgp handler: BZip2 compressed packets (linked statically into the handler)
DEPS += libbz2-dev
# deb handler: Packages.xz and Packages.lz4, data.tar.zst (linked
# statically into the handler); dpkg-deb, dpkg-scanpackages and
# apt-ftparchive make the deb fixtures, the lz4, xz and bzip2 commands their
# compressed copies and the real-data test's reference
DEPS += liblzma-dev liblz4-dev libzstd-dev apt-utils dpkg-dev lz4 xz-utils bzip2
# handlers are linked against musl: ~100 KB instead of ~700 KB, faster to start
DEPS += musl-tools
# pgp: differential peers, fixture generation, benchmark.  openpgp.js (v6
# fixtures) comes from npm at test time; not the Debian npm package, which
# conflicts with a Node.js that ships its own npm.
DEPS += sqop sqv gpgv gpg nodejs
# pgp: signatures no tool makes (no issuer subpacket) for sopv_cli's limit
# checks, and tools/semdiff.py
DEPS += python3-cryptography
# bpf handler: libbpf's gen_loader records an object's loading (linked
# statically into the handler, with libelf); clang compiles the test
# objects (-target bpf); bpftool is the differential peer of bpf load
DEPS += libbpf-dev libelf-dev clang bpftool
# tests/integ/install.sh formats every installed man page with groff -ww
DEPS += groff-base
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps setup build demo check test bench fuzz clean

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN)/build.ninja:
	meson setup $(ASAN) --buildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false

setup: deps $(BUILD)/build.ninja

build: setup
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/src/cli/digestguard demo

# Every test, in the normal build and (unit tests, corpus replays) under
# ASan+UBSan; ends with "N passed, N failed[, N skipped]".
check: deps $(BUILD)/build.ninja $(ASAN)/build.ninja $(BUILD)/peers/fapolicyd
	ninja -C $(BUILD)
	ninja -C $(ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/run.sh $(BUILD) $(ASAN)

test: check

# fapolicyd's package unpacked, not installed (no daemon, nothing in /etc):
# tests/integ/db_cli.sh runs its fapolicyd-cli in a private mount namespace.
# Without the archive reachable, the test says so and skips.
$(BUILD)/peers/fapolicyd:
	@mkdir -p $(BUILD)/peers/dl && cd $(BUILD)/peers/dl && \
	if apt-get download -q fapolicyd >/dev/null 2>&1; then \
		dpkg-deb -x fapolicyd_*.deb ../fapolicyd.tmp && mv ../fapolicyd.tmp ../fapolicyd; \
	else echo "fapolicyd: not downloadable, its differential test will skip"; fi

bench: build
	bench/umd.sh
	bench/db.sh $(BUILD)
	bench/exec.sh $(BUILD)
	DG=$(BUILD)/src/cli/digestguard bench/pgp.sh
	bench/rpm.sh $(BUILD)
	bench/deb.sh $(BUILD)

# libFuzzer needs clang and its runtime (not needed by check/demo).
fuzz: deps
	@dpkg -s clang libclang-rt-14-dev >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q clang libclang-rt-14-dev; }
	fuzz/run.sh 1

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
