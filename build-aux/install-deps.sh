#!/bin/sh
# Installs the Debian packages RoomChat needs to build, run and test, and
# only those that are missing: clang and its libFuzzer runtime for the
# fuzzing harnesses, gnome-keyring as the Secret Service the password tests
# talk to, a colour emoji font so that screenshots show what a desktop
# shows. Packages that GTK merely recommends but the client needs
# (librsvg2-common draws its SVG icons, at-spi2-core carries the
# accessibility bus) are named too, since they are left out here. Works on Debian 12 and Ubuntu 22.04 or later.
set -eu

packages="
  appstream
  at-spi2-core
  bash-completion
  clang
  dbus
  dbus-daemon
  dbus-x11
  desktop-file-utils
  fonts-noto-color-emoji
  gcc
  gettext
  glib-networking
  gnome-keyring
  gnutls-bin
  iso-codes
  libglib2.0-bin
  libglib2.0-dev
  libgnutls28-dev
  libgtk-4-bin
  libgtk-4-dev
  libclang-rt-dev
  libjson-glib-dev
  libreadline-dev
  libsecret-1-dev
  libsystemd-dev
  librsvg2-common
  meson
  nettle-dev
  ninja-build
  openssl
  pkg-config
  xauth
  xvfb
"

missing=""
for package in $packages; do
  if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "RoomChat needs these packages:$missing" >&2
  echo "Install them as root (apt-get install$missing) and run this again." >&2
  exit 1
fi

echo "Installing:$missing"
$sudo apt-get update -q
# shellcheck disable=SC2086 # the list is meant to split into words
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
