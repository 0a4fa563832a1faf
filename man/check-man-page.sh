#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-man-page.sh PROGRAM PAGE: the page formats without a warning and
# names every long option and command PROGRAM's --help lists.
set -eu

program=$1
page=$2
status=0

if [ -n "${GROFF:-}" ]; then
  warnings=$("$GROFF" -man -ww -z "$page" 2>&1) || true
  if [ -n "$warnings" ]; then
    printf '%s: groff warns:\n%s\n' "$page" "$warnings" >&2
    status=1
  fi
fi

# What the page says, as text: roff escapes such as \- gone.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\//g' "$page")

help=$("$program" --help-all 2>/dev/null || "$program" --help)
options=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u |
          grep -v -x -e '--help-all' -e '--help-gapplication' \
                     -e '--gapplication-service' -e '--help')
# The server's commands: the words of the "Commands:" block.
commands=$(printf '%s\n' "$help" |
           sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && $1 != "(none)" { print $1 }')

for word in $options $commands; do
  if ! printf '%s\n' "$text" | grep -q -F -e "$word"; then
    printf '%s: %s (in %s --help) is not in the page\n' \
      "$page" "$word" "$(basename "$program")" >&2
    status=1
  fi
done

exit $status
