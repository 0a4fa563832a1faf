#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-layers.sh [SOURCE_ROOT]: the folders form a tree. Front ends use
# client/ and shared/, client/ and server/ use shared/, shared/ uses
# nothing of ours; no file includes a header of a folder above its own or
# beside it.
set -eu
cd "${1:-$(dirname "$0")/..}"

# FOLDER: the folders whose headers it may include, besides its own
allowed () {
  case $1 in
    shared) echo "" ;;
    client) echo "shared" ;;
    server) echo "shared" ;;
    cli-client) echo "client shared" ;;
    gui-client) echo "client shared" ;;
  esac
}

folders="shared client server cli-client gui-client"
status=0
for folder in $folders; do
  for file in "$folder"/*.c "$folder"/*.h; do
    [ -e "$file" ] || continue
    for header in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file"); do
      [ -e "$folder/$header" ] && continue
      ok=0
      for lower in $(allowed "$folder"); do
        [ -e "$lower/$header" ] && ok=1
      done
      [ $ok = 1 ] && continue
      for other in $folders; do
        if [ -e "$other/$header" ]; then
          echo "$file includes $other/$header: $folder/ may use only $(allowed "$folder" | sed 's/^$/nothing of ours/') " >&2
          status=1
        fi
      done
    done
  done
done

# GTK only in the desktop client.
for file in shared/*.[ch] client/*.[ch] server/*.[ch] cli-client/*.[ch]; do
  [ -e "$file" ] || continue
  if grep -q '^#include <gtk/' "$file"; then
    echo "$file includes GTK: only gui-client/ may" >&2
    status=1
  fi
done

[ $status = 0 ] && echo "ok: includes point only down the layers"
exit $status
