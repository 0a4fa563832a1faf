#!/bin/sh
# Remakes the screenshots in data/screenshots/ (README and metainfo): builds
# RoomChat, starts a local roomchat-server with a throw-away state folder,
# and drives the real client on a virtual X server (Xvfb) through every
# page, with roomchat-cli --batch as the other person. The last picture,
# of a lost connection, is taken after the program kills the server.
#   BUILD=_build (default)   OUTPUT=data/screenshots (default)
set -eu
cd "$(dirname "$0")/.."

build="${BUILD:-_build}"
output="${OUTPUT:-data/screenshots}"

build-aux/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build"
fi
meson compile -C "$build"

work="$(mktemp -d)"
server=""
cleanup () {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

password="screenshots-$(date +%s)"
cat >"$work/server.json" <<JSON
{ "HOST_ADDRESS": "localhost", "HOST_PORT": 0, "SERVER_PASSWORD": "$password",
  "SERVER_NAME": "RoomChat", "STATE_DIR": "$work/state" }
JSON
"$build/server/roomchat-server" --config "$work/server.json" >"$work/server.log" 2>&1 &
server=$!

tries=0
until grep -q "RoomChat is up" "$work/server.log"; do
  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -ge 100 ]; then
    cat "$work/server.log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.1
done
port=$(sed -n 's/.*Listening on .* port \([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)

mkdir -p "$output" "$work/home" "$work/peer"
# A fresh user: no remembered server, no settings, no portal; the light
# default style of GTK.
env HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config" \
    XDG_CACHE_HOME="$work/home/cache" XDG_STATE_HOME="$work/home/state" \
    GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$PWD/$build/data" \
    ROOMCHAT_LOCALEDIR="$PWD/$build/po" ROOMCHAT_PASSWORD="$password" \
    ROOMCHAT_SCREENSHOTS_SERVER_PID="$server" \
    GDK_BACKEND=x11 GSK_RENDERER="${GSK_RENDERER:-cairo}" \
  dbus-run-session -- xvfb-run -a -s '-screen 0 1280x1024x24' \
    "$build/gui-client/roomchat-screenshots" "$port" "$PWD/$build/cli-client/roomchat-cli" \
    "$output" "$work/peer"
