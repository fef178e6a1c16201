# Convenience targets around the scripts. The world's port base and directory come from
# ONIONBOARD_PORT_BASE (default 15000) and ONIONBOARD_WORLD_DIR (default /tmp/onionboard-world-BASE).
.PHONY: setup test world-up world-down world-env world-status bench bench-crash fuzz fuzz-ci release dist test-debian catalogs catalogs-update

setup:
	bash scripts/setup

test:
	bash scripts/test

# Translations (docs/translations.md): compile po/*.po next to the built binaries (or into
# LOCALEDIR, e.g. $(DESTDIR)/usr/share/locale when packaging); catalogs-update extracts the
# messages from Sources/ into po/onionboard.pot and merges them into every po/LL.po.
catalogs:
	python3 scripts/catalogs compile $(LOCALEDIR)

catalogs-update:
	python3 scripts/catalogs update

world-up:
	testbed/world up

world-down:
	testbed/world down

world-env:
	@testbed/world env

world-status:
	@testbed/world status

# Benchmarks (issue 8, docs/performance.md): round trips and time-to-ready against slixmpp over
# a relay with 150 ms each way, --help start-up, peak RSS, blist.xml merge. Brings up its own
# world (base 17000, .world-bench) unless ONIONBOARD_WORLD_ENV names one. Extra flags: BENCH_ARGS.
bench:
	bench/run $(BENCH_ARGS)

# Crash-safety soak: the crash test with many more SIGKILLs than the suite's default 200.
CRASH_KILLS ?= 1000
bench-crash:
	ONIONBOARD_CRASH_KILLS=$(CRASH_KILLS) swift test --filter CrashSafety

# Fuzzing (issue 17, docs/fuzzing.md): builds Fuzz/ with -sanitize=fuzzer,address and runs every
# target (or FUZZ_TARGETS) for FUZZ_SECONDS each, FUZZ_JOBS at a time. New inputs and crash
# files go to Fuzz/.work. fuzz-ci is CI's short step: 30 s per target on the committed corpus.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) Fuzz/run $(FUZZ_TARGETS)

fuzz-ci:
	FUZZ_SECONDS=30 FUZZ_JOBS=2 Fuzz/run --ci

# The release build (issue 14): static Swift standard library, lld with packed relocations,
# stripped, into .build/shipped/ (scripts/build-release).
release:
	scripts/build-release

# The Debian package (issue 14, docs/release.md): dist/onionboard_<version>_amd64.deb and its
# .sha256, then lintian. SOURCE_DATE_EPOCH defaults to packaging/changelog's date.
dist:
	scripts/dist

# The package installed with apt in clean debootstrapped Debian 12 and 13 chroots, run there
# through the local world's Tor, its profile proven by finch (needs root; CI runs it).
test-debian:
	scripts/test-debian $(DEB)
