#!/bin/sh
# Builds the libFuzzer harnesses of tests/fuzz with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs each one:
#
#   build-aux/fuzz.sh                   30 seconds each (what the test command runs)
#   build-aux/fuzz.sh --seconds 600     longer
#   build-aux/fuzz.sh --runs 10000000   a fixed number of executions each
#   build-aux/fuzz.sh --runs 10000000 frame    one harness
#
# The seeds in tests/fuzz/corpus/HARNESS are read, never written: what a run
# finds goes to _build-fuzz/corpus/HARNESS, a crash to
# _build-fuzz/artifacts/ (replay one with _build-fuzz/tests/fuzz/fuzz-HARNESS FILE).
# Exits 1 if any harness found a fault.
set -eu
cd "$(dirname "$0")/.."

limit="-max_total_time=30"
harnesses=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit="-max_total_time=$2"; shift 2 ;;
    --runs) limit="-runs=$2"; shift 2 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) harnesses="$harnesses $1"; shift ;;
  esac
done
[ -n "$harnesses" ] || harnesses="config frame frame-reader"

build=_build-fuzz
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Dserver=false -Dcli=false -Dgui=false \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
meson compile -C "$build"

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/artifacts"
status=0
for harness in $harnesses; do
  mkdir -p "$build/corpus/$harness"
  echo "fuzz-$harness ($limit):"
  if ! "$build/tests/fuzz/fuzz-$harness" "$limit" -max_len=70000 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$harness-" \
       "$build/corpus/$harness" "tests/fuzz/corpus/$harness" 2>"$build/fuzz-$harness.log"; then
    status=1
    tail -n 40 "$build/fuzz-$harness.log"
  fi
  grep -E '^stat::number_of_executed_units|^Done|^INFO: -max_total_time' "$build/fuzz-$harness.log" || true
done
exit $status
