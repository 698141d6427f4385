#!/usr/bin/env bash
# Builds everything and runs every test. CI runs exactly this (see .ci/run); so does README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

# The model tests run the training recipe's Python (models/train/) with Debian's interpreter and packages.
python_packages=(python3-torch python3-numpy python3-regex libopenblas0-pthread)
missing=()
for package in "${python_packages[@]}"; do
  # dpkg -s succeeds for removed packages whose config files remain; ask for the real state.
  [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=(env)
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo env)
  else
    echo "test.sh: the model tests need these Debian packages; install them as root:" >&2
    echo "  apt-get install -y --no-install-recommends ${python_packages[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${python_packages[*]}" >&2
  "${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${python_packages[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Test logs go to a throwaway folder, not the user's cache.
export CODEASSIST_LOG_DIR="${CODEASSIST_LOG_DIR:-$(mktemp -d)}"

dotnet restore CodeAssist.sln
dotnet build CodeAssist.sln -c Release --no-restore
dotnet format CodeAssist.sln --verify-no-changes --no-restore

log=$(mktemp)
set +e
dotnet test CodeAssist.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line for CI: "N passed, N failed".
awk '/(Passed|Failed)!  - Failed:/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
