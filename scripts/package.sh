#!/usr/bin/env bash
# Builds the VS Code extension package: the bundled client (dist/extension.js), the published server with the
# shipped models (dist/server/), then `vsce package`.
#
#   bash scripts/package.sh                       # linux-x64 -> codeassist-<version>.vsix
#   bash scripts/package.sh --rid osx-arm64       # -> codeassist-darwin-arm64-<version>.vsix
#   bash scripts/package.sh --rid win-x64         # -> codeassist-win32-x64-<version>.vsix
#   bash scripts/package.sh --framework-dependent # smaller; needs the .NET 10 runtime on the user's machine
#
# The server is published self-contained by default, so the extension needs nothing installed beside VS Code.
# The VSIX is marked for its platform (vsce --target): VS Code refuses it on another one.
set -euo pipefail
cd "$(dirname "$0")/.."

rid=linux-x64
self_contained=true
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid=$2; shift 2 ;;
    --framework-dependent) self_contained=false; shift ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

case "$rid" in
  linux-x64) target=linux-x64 ;;
  linux-arm64) target=linux-arm64 ;;
  osx-arm64) target=darwin-arm64 ;;
  osx-x64) target=darwin-x64 ;;
  win-x64) target=win32-x64 ;;
  win-arm64) target=win32-arm64 ;;
  *) echo "package.sh: no VS Code platform known for RID $rid" >&2; exit 2 ;;
esac

version=$(node -p "require('./package.json').version")
if [ "$rid" = linux-x64 ]; then
  out=codeassist-$version.vsix
else
  out=codeassist-$target-$version.vsix
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# npm ci only when the lock file changed since the last install (node_modules/.package-lock.json is npm's copy).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

rm -rf dist
npm run --silent build
dotnet publish server -c Release -r "$rid" --self-contained "$self_contained" -o dist/server -p:DebugType=none -nologo -v quiet
test -f dist/server/models/codeassist-py-tiny.gguf || { echo "package.sh: the published server has no models/" >&2; exit 1; }

# --no-dependencies: the client is bundled, node_modules does not ship. LICENSE (Apache-2.0) and NOTICE (the training
# corpus and its licences) ship in the VSIX.
npx vsce package --no-dependencies --allow-missing-repository --readme-path client/marketplace.md --target "$target" --out "$out"
# the licence and the notice must be in the package (vsce names the licence LICENSE.txt)
/usr/bin/python3 -c 'import re, sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
missing = [f for f in ("LICENSE", "NOTICE") if not any(re.fullmatch("extension/" + f + r"(\.txt)?", n) for n in names)]
sys.exit("package.sh: the VSIX lacks " + ", ".join(missing) if missing else 0)' "$out"
echo "package.sh: $out ($(du -h "$out" | cut -f1))"
