#!/bin/sh
# Installs what is missing, builds RoomChat with warnings as errors and runs
# the whole test suite twice: plainly, then under AddressSanitizer and
# UndefinedBehaviorSanitizer; then the suites of the server and the protocol
# in a release build (its small thread stacks), and each fuzzing harness
# for 30 seconds. GUI tests run on a virtual X server (Xvfb) inside a
# private D-Bus session.
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh

setup () {
  dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

run_suite () {
  dir=$1
  meson compile -C "$dir"
  # A runtime folder of the run's own: the accessibility bus that the
  # session starts puts its socket there, where no other session on the
  # machine can replace it under the tests.
  suite_status=0
  runtime=$(mktemp -d)
  chmod 0700 "$runtime"
  XDG_RUNTIME_DIR=$runtime dbus-run-session -- xvfb-run -a -s '-screen 0 1280x1024x24' \
    meson test -C "$dir" --print-errorlogs --num-processes 2 || suite_status=1
  rm -rf "$runtime"
  return "$suite_status"
}

count () {
  # meson writes one JSON object per test to its log
  grep -c "\"result\": \"$1\"" "$2/meson-logs/testlog.json" || true
}

status=0

setup _build --werror
run_suite _build || status=1

setup _build-sanitize --werror -Db_sanitize=address,undefined -Db_lundef=false
run_suite _build-sanitize || status=1

setup _build-release --werror --buildtype=release -Dgui=false
meson compile -C _build-release
meson test -C _build-release --print-errorlogs --num-processes 2 \
  --suite shared --suite server --suite client --suite cli || status=1

build-aux/fuzz.sh || status=1

builds="_build _build-sanitize _build-release"
total () {
  sum=0
  for build in $builds; do
    sum=$(( sum + $(count "$1" "$build") ))
  done
  echo "$sum"
}
passed=$(total OK)
failed=$(( $(total FAIL) + $(total TIMEOUT) + $(total ERROR) ))
skipped=$(total SKIP)
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
