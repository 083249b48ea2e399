#!/usr/bin/env bash
# Install the Debian/Ubuntu libraries Qt needs, when root and any is missing.
# Usage: qt-system-libs.sh [offscreen|xcb|xvfb]
set -euo pipefail
mode=${1:-offscreen}
pkgs=(libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 fonts-dejavu-core)
# Not Qt's either: the built-in model's runtime (the xllamacpp wheel) links the system's
# OpenMP library instead of shipping its own.
pkgs+=(libgomp1)
if [ "$mode" = xcb ] || [ "$mode" = xvfb ]; then
  pkgs+=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
         libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0)
fi
[ "$mode" = xvfb ] && pkgs+=(xvfb xauth)
# Not Qt's, but the test suite uses them: the .desktop launcher is validated, and the
# API key is stored in a real GNOME Keyring over a private D-Bus session.
[ "$mode" = offscreen ] && pkgs+=(desktop-file-utils gnome-keyring dbus dbus-user-session)

command -v dpkg-query >/dev/null || exit 0   # not Debian/Ubuntu: nothing we can do here
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing Qt system libraries: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "warning: Qt may need these packages: sudo apt-get install ${missing[*]}" >&2
fi
