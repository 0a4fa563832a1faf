#!/bin/sh
# Installs what is missing, builds RoomChat into _build, starts a local
# roomchat-server on its embedded default (localhost:8888, a password made
# once and kept in its state folder) and opens the GTK client pointed at
# it, ready to create a room. The server stops when the client quits.
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh

if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build
fi
meson compile -C _build

state="${XDG_STATE_HOME:-$HOME/.local/state}/roomchat/server"
mkdir -p "$state"
log="$state/run.log"

# No configuration file: the server's embedded default. It runs in its
# state folder, so no stray .env.json is read.
(cd "$state" && exec "$OLDPWD/_build/server/roomchat-server" --state-dir "$state") >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT INT TERM

tries=0
until grep -q "RoomChat is up" "$log"; do
  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -ge 100 ]; then
    echo "roomchat-server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.1
done
grep -i "password\|fingerprint" "$log" || true
echo "Server log: $log"

# Run the client from the build folder: its schema and translations too.
ROOMCHAT_PASSWORD="$(cat "$state/password")" \
GSETTINGS_SCHEMA_DIR="$PWD/_build/data" \
ROOMCHAT_LOCALEDIR="$PWD/_build/po" \
  _build/gui-client/roomchat --host localhost --port 8888 --connect "$@"
