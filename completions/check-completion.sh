#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-completion.sh NAME PROGRAM FILE: FILE completes what a person
# typing NAME on a command line expects, and knows every long option
# PROGRAM's --help lists.
set -u

name=$1
program=$2
file=$3
failures=0

# shellcheck source=/dev/null
source "$BASH_COMPLETION" || exit 1
# shellcheck source=/dev/null
source "$file" || exit 1

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME=$home/data HOME=$home
mkdir -p "$XDG_DATA_HOME/roomchat"
printf 'chat.example.org:8443 %s\n[2001:db8::7]:8888 %s\n' \
  "$(printf 'AB:%.0s' $(seq 31))AB" "$(printf 'CD:%.0s' $(seq 31))CD" \
  > "$XDG_DATA_HOME/roomchat/known-servers"

# complete LINE: what the completion offers for LINE (the last word is
# the one being completed; end LINE with a space for a new word).
complete_line()
{
  local line=$1
  COMP_LINE=$line
  COMP_POINT=${#line}
  read -r -a COMP_WORDS <<< "$line"
  [[ $line == *' ' ]] && COMP_WORDS+=('')
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  local function
  function=$(complete -p "$name" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
  "$function" "$name" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}"
}

# expect LINE WORD...: LINE offers each WORD
expect()
{
  local line=$1 word offered
  shift
  offered=$(complete_line "$line")
  for word in "$@"; do
    if ! grep -q -x -F -e "$word" <<< "$offered"; then
      printf '"%s" should offer "%s"; it offers: %s\n' "$line" "$word" \
        "$(tr '\n' ' ' <<< "$offered")" >&2
      failures=$((failures + 1))
    fi
  done
}

# expect_nothing LINE: LINE offers no word
expect_nothing()
{
  local offered
  offered=$(complete_line "$1")
  if [[ -n $offered ]]; then
    printf '"%s" should offer nothing; it offers: %s\n' "$1" \
      "$(tr '\n' ' ' <<< "$offered")" >&2
    failures=$((failures + 1))
  fi
}

# compopt works only inside a real completion; what it sets is not checked.
compopt() { :; }

# Every long option of --help (its option lines, not the text around
# them) is offered after "--".
options=$("$program" --help | grep -E -e '^ +(-[[:alnum:]], )?--' |
          sed -E 's/^ +(-[[:alnum:]], )?(--[a-z][a-z-]*=?).*/\2/' | sort -u)
for option in $options; do
  expect "$name --" "$option"
done

case $name in
  roomchat-server)
    expect "$name " stats reset fingerprint check-config hash-password
    expect "$name ch" check-config
    expect "$name --state" --state-dir=
    expect "$name -c /etc/roomchat.json " stats
    expect_nothing "$name stats "
    expect_nothing "$name --port "
    ;;
  roomchat-cli)
    expect "$name --ho" --host=
    expect "$name --host " chat.example.org 2001:db8::7
    expect "$name --host=chat" chat.example.org
    expect "$name --port " 8443 8888
    expect_nothing "$name --name "
    expect_nothing "$name --join "
    ;;
esac

if ((failures > 0)); then
  echo "$failures completion(s) missing" >&2
  exit 1
fi
echo "ok: $name completes as expected"
