#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (as root, or through sudo).
# Usage: bash scripts/ensure-debian-packages.sh WHY PACKAGE...   (WHY names what needs them, for the messages)
set -euo pipefail
why=$1
shift
missing=()
for package in "$@"; do
  # dpkg -s succeeds for removed packages whose config files remain; ask for the real state.
  [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  as_root=(env)
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo env)
else
  echo "$why needs these Debian packages; install them as root:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "$why: installing ${missing[*]}" >&2
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
