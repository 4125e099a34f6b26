# weave — the front door. `make` alone prints this help.
#
# Every target first makes sure the Debian packages the build uses are present
# (`make deps`), so on a fresh machine the README's two commands are all the
# set-up there is.

SHELL := /bin/bash
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest

# Debian packages the build, the tests and the benchmarks use.
DEPS := build-essential cmake ninja-build pkgconf clang libclang-rt-14-dev \
        libcppunit-dev libboost-context-dev libboost-dev \
        libbenchmark-dev libtbb-dev libconcurrentqueue-dev \
        graphviz chromium

.DEFAULT_GOAL := help
.PHONY: help deps check check-models check-classics soak mutate stress tsan asan asan-checker ubsan bench fuzz package clean

help:
	@echo "weave — checked synchronization primitives for C++20"
	@echo
	@echo "  make check-models  build and run every model check; prints one table"
	@echo "  make check-classics the teaching catalogue alone (seconds); every counterexample"
	@echo "                     in build/classics/: NAME.txt, .trace.json, .html, .dot"
	@echo "  make check         everything CI runs: unit, stress, model and model-buggy"
	@echo "                     tests, then unit and stress again under ThreadSanitizer,"
	@echo "                     then make asan-checker"
	@echo "  make soak          hunt for a wrong verdict: the checker's oracle and differential"
	@echo "                     tests on fresh random programs, and on a slice of every small"
	@echo "                     grammar's programs, for SOAK_MINUTES (10) per job"
	@echo "  make mutate        test the checker's tests: plant each bug of"
	@echo "                     models/checker/tests/mutants.txt in a copy of the checker and"
	@echo "                     fail if every test lets one through (MUTANTS=\"name ...\": those;"
	@echo "                     about two minutes a mutant; output in build/mutate/)"
	@echo "  make deps          install the Debian packages the build uses (idempotent)"
	@echo "  make stress        stress runs on real threads"
	@echo "  make tsan          unit + stress under ThreadSanitizer (clang)"
	@echo "  make asan          unit, stress, the model checker's tests and every model check"
	@echo "                     under AddressSanitizer + UBSan (clang)"
	@echo "  make asan-checker  the checker's tests (but oracle and differential) and the"
	@echo "                     teaching catalogue under AddressSanitizer + UBSan"
	@echo "  make ubsan         unit + stress under UndefinedBehaviorSanitizer"
	@echo "  make bench         benchmarks against std, TBB, moodycamel, boost, ..."
	@echo "  make fuzz          the pipe reader under libFuzzer for 5 minutes (check runs 20 s)"
	@echo "  make package       build/package/: a .deb (libweave-dev) and a .tar.gz of the"
	@echo "                     primitives and the checker, for find_package(weave) or pkg-config"
	@echo "  make clean         remove build/"
	@echo
	@echo "Build trees live in build/<preset> (see CMakePresets.json)."

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	echo "deps: missing:$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "deps: not root; run this, then retry:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing \
	  || { echo "deps: apt-get failed; install by hand:$$missing"; exit 1; }

# configure-and-build a preset: $(call build,preset[,targets])
define build
	$(CMAKE) --preset $(1) >/dev/null
	$(CMAKE) --build --preset $(1) -j $(JOBS) $(if $(2),--target $(2))
endef

check: deps
	$(call build,dev)
	cd build/dev && $(CTEST) -j $(JOBS) --output-on-failure -L '^(unit|stress|model|model-buggy)$$'
	$(MAKE) --no-print-directory tsan
	cd build/tsan && $(CTEST) --output-on-failure -L '^fuzz$$'
	$(MAKE) --no-print-directory asan-checker


check-models: deps
	$(call build,model,weave_models)
	build/model/models/weave_models --jobs $(JOBS)

check-classics: deps
	$(call build,model,weave_models)
	rm -rf build/classics && mkdir -p build/classics
	build/model/models/weave_models --filter '^(classic|publish)_' --counterexamples build/classics

# Fresh seeds (SOAK_SEED, default the clock) for oracle_test and
# differential_test, SOAK_PROGRAMS of each generator a round, and the slice
# of SOAK_GRAMMAR_PROGRAMS of each small grammar that the seed picks
# (WEAVE_GRAMMAR=NAME: that grammar only) and of SOAK_GRAMMAR2_PROGRAMS of
# each with a second call a thread (slower), on JOBS cores, until SOAK_MINUTES
# pass; each round's output in build/soak/; fails if any round found a
# program on which the checker differs.
SOAK_DIFFERENTIAL := differential_test::every_way_sees_the_same_outcomes differential_test::the_other_primitives_too \
                     differential_test::the_queues_and_rings_too
SOAK_MINUTES ?= 10
SOAK_PROGRAMS ?= 300
SOAK_GRAMMAR_PROGRAMS ?= 50
SOAK_GRAMMAR2_PROGRAMS ?= 2
soak: deps
	$(call build,model,weave_checker_tests)
	@rm -rf build/soak && mkdir -p build/soak; \
	end=$$(( $$(date +%s) + 60 * $(SOAK_MINUTES) )); base=$${SOAK_SEED:-$$(date +%s)}; \
	for j in $$(seq 0 $$(( $(JOBS) - 1 ))); do ( \
	  k=0; while [ $$(date +%s) -lt $$end ]; do \
	    seed=$$(( base + k * $(JOBS) + j )); k=$$(( k + 1 )); \
	    for t in oracle differential grammars grammars2; do \
	      case $$t in \
	        oracle) run="WEAVE_ORACLE_SOAK=$$seed:$(SOAK_PROGRAMS) build/model/models/weave_checker_tests oracle_test";; \
	        differential) run="WEAVE_DIFFERENTIAL_SOAK=$$seed:$(SOAK_PROGRAMS) build/model/models/weave_checker_tests $(SOAK_DIFFERENTIAL)";; \
	        grammars) run="WEAVE_DIFFERENTIAL_SOAK=$$seed:$(SOAK_GRAMMAR_PROGRAMS) build/model/models/weave_checker_tests \
	                       differential_test::programs_of_small_grammars";; \
	        grammars2) run="WEAVE_GRAMMAR_CALLS=2 WEAVE_DIFFERENTIAL_SOAK=$$seed:$(SOAK_GRAMMAR2_PROGRAMS) \
	                        build/model/models/weave_checker_tests differential_test::programs_of_small_grammars";; \
	      esac; \
	      if env $$run > build/soak/$$t-$$seed.txt 2>&1; \
	      then echo "soak: $$t seed $$seed: no difference"; \
	      else echo "soak: $$t seed $$seed: DIFFERS, see build/soak/$$t-$$seed.txt"; fi; \
	    done; \
	  done ) & done; wait; \
	! grep -l "FAIL\|differ between\|Failures" build/soak/*.txt

# Mutation testing of the checker: models/checker/tests/mutate.sh builds a
# copy of the source in build/mutate/ with one bug of mutants.txt planted at a
# time and runs the checker's tests and every model check against it.
MUTANTS ?=
mutate: deps
	JOBS=$(JOBS) bash models/checker/tests/mutate.sh $(MUTANTS)

stress: deps
	$(call build,dev)
	cd build/dev && $(CTEST) -j $(JOBS) --output-on-failure -L '^stress$$'

tsan: deps
	$(call build,tsan)
	cd build/tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/sanitizers/tsan.supp" \
	  $(CTEST) -j $(JOBS) --output-on-failure -L '^(unit|stress)$$'

# The model checker runs there too (its fibers tell ASan of every switch of
# stacks: models/checker/src/stacks.hpp), leaks not counted: a search that
# stops at a failure never unwinds the frames of threads left blocked, and
# what they own on the heap is never freed (engine::abandon).
ASAN_CHECKER_ENV := ASAN_OPTIONS="detect_leaks=0" UBSAN_OPTIONS="print_stacktrace=1"
asan: deps
	$(call build,asan)
	cd build/asan && ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
	  $(CTEST) -j $(JOBS) --output-on-failure -L '^(unit|stress)$$'
	cd build/asan && $(ASAN_CHECKER_ENV) $(CTEST) -j $(JOBS) --output-on-failure -L '^(model|model-buggy)$$'

# check's share of `make asan`, a few minutes: the checker's own tests but
# the two over thousands of random programs (oracle, differential), and the
# teaching catalogue, whose checks fail, report, replay and export (the
# counterexamples in build/asan/classics/).
ASAN_CHECKER_TESTS := engine_test forward_test opaque_test soundness_test views_test
asan-checker: deps
	$(call build,asan,weave_checker_tests weave_models)
	cd build/asan && $(ASAN_CHECKER_ENV) models/weave_checker_tests $(ASAN_CHECKER_TESTS)
	rm -rf build/asan/classics && mkdir -p build/asan/classics
	cd build/asan && $(ASAN_CHECKER_ENV) models/weave_models --jobs $(JOBS) --filter '^(classic|publish)_' \
	  --counterexamples classics

ubsan: deps
	$(call build,ubsan)
	cd build/ubsan && UBSAN_OPTIONS="print_stacktrace=1" \
	  $(CTEST) -j $(JOBS) --output-on-failure -L '^(unit|stress)$$'

bench: deps
	$(call build,release)
	@set -e; for b in build/release/stress/bench/bench_*; do \
	  [ -x "$$b" ] || continue; echo "== $$b"; "$$b"; done

fuzz: deps
	$(call build,tsan)
	$(CMAKE) --build --preset tsan --target fuzz-pipe_reader-long

package: deps
	$(call build,package)
	cd build/package && cpack
	@ls -1 build/package/*.deb build/package/*.tar.gz

clean:
	rm -rf build
