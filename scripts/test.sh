#!/usr/bin/env bash
# Builds everything and runs every test. CI runs exactly this (see .ci/run); so does README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

# The model tests run the training recipe's Python (models/train/) with Debian's interpreter and packages.
bash scripts/ensure-debian-packages.sh "test.sh (the model tests)" python3-torch python3-numpy python3-regex libopenblas0-pthread

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Test logs go to a throwaway folder, not the user's cache.
export CODEASSIST_LOG_DIR="${CODEASSIST_LOG_DIR:-$(mktemp -d)}"
# So are the verdicts of model checks (tests write hundreds of GGUF files).
export CODEASSIST_CACHE_DIR="${CODEASSIST_CACHE_DIR:-$(mktemp -d)}"

# The real tokenizers whose vocabularies the tests write into models (tests/vocab, read by
# tests/CodeAssist.Tests/Gguf/RealVocabulary.cs): npm ci only when that folder's lock file changed.
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: Node.js and npm are required (the real-vocabulary tests and the VS Code extension)" >&2
  exit 1
fi
if [ ! -f tests/vocab/node_modules/.package-lock.json ] || [ tests/vocab/package-lock.json -nt tests/vocab/node_modules/.package-lock.json ]; then
  (cd tests/vocab && npm ci --no-audit --no-fund)
fi

dotnet restore CodeAssist.sln
dotnet build CodeAssist.sln -c Release --no-restore
dotnet format CodeAssist.sln --verify-no-changes --no-restore

log=$(mktemp)
set +e
dotnet test CodeAssist.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The training recipe's own tests (the corpus builder's filters): Python's unittest, Debian's interpreter.
# dpkg-deb builds the test packages; it is part of every Debian system.
py_log=$(mktemp)
set +e
(cd models/train && /usr/bin/python3 -m unittest -v test_corpus) 2>&1 | tee "$py_log"
py_status=${PIPESTATUS[0]}
set -e
[ "$py_status" -eq 0 ] || status=$py_status

# The VS Code extension: type check, unit tests (mocha), the VSIX, then the end-to-end test in a real VS Code
# (code-server and Chromium, installed on first use by scripts/e2e-setup.sh; CODEASSIST_SKIP_E2E=1 leaves it out).
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: Node.js and npm are required for the VS Code extension" >&2
  exit 1
fi
# npm ci only when the lock file changed since the last install (node_modules/.package-lock.json is npm's copy).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent typecheck
client_log=$(mktemp)
set +e
npm run --silent test:unit 2>&1 | tee "$client_log"
client_status=${PIPESTATUS[0]}
set -e
[ "$client_status" -eq 0 ] || status=$client_status

e2e_log=$(mktemp)
if [ "${CODEASSIST_SKIP_E2E:-0}" != 1 ]; then
  # A fresh VSIX from this tree: the e2e test installs exactly what `npm run package` builds.
  bash scripts/package.sh
  set +e
  E2E_VSIX="codeassist-$(node -p "require('./package.json').version").vsix" bash scripts/e2e.sh 2>&1 | tee "$e2e_log"
  e2e_status=${PIPESTATUS[0]}
  set -e
  [ "$e2e_status" -eq 0 ] || status=$e2e_status
  grep -q '^e2e-summary ' "$e2e_log" || echo "e2e-summary passed=0 failed=1 skipped=0" >> "$e2e_log"
fi

# The failed tests by name, with the first lines of their messages, next to the summary (CI shows the end).
awk '/^  Failed [A-Za-z_]/ { print; n = 8; next } n > 0 && /^  (Passed|Failed|Skipped) / { n = 0 } n > 0 { print; n-- }' "$log" | sed 's/^/failed-test: /' | head -n 60 || true
grep -E '^(FAIL|ERROR): ' "$py_log" | sed 's/^/failed-test: /' || true
grep -E '^ +[0-9]+\) ' "$client_log" | sed 's/^/failed-test: /' | head -n 20 || true
grep -E '^\[e2e .*\] FAIL ' "$e2e_log" | sed 's/^/failed-test: /' || true

# One plain summary line for CI: "N passed, N failed" (", N skipped" when some were): xunit, mocha and e2e steps.
awk '/(Passed|Failed)!  - Failed:/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     FILENAME == ARGV[2] && /^ +[0-9]+ passing/ { p += $1 }
     FILENAME == ARGV[2] && /^ +[0-9]+ failing/ { f += $1 }
     FILENAME == ARGV[2] && /^ +[0-9]+ pending/ { s += $1 }
     FILENAME == ARGV[4] && /(\.\.\. |^)ok$/ { p += 1 }
     FILENAME == ARGV[4] && /(\.\.\. |^)(FAIL|ERROR)$/ { f += 1 }
     FILENAME == ARGV[4] && / \.\.\. skipped/ { s += 1 }
     /^e2e-summary / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "passed") p += kv[2]; if (kv[1] == "failed") f += kv[2]; if (kv[1] == "skipped") s += kv[2] } }
     END { if (s > 0) printf "%d passed, %d failed, %d skipped\n", p, f, s; else printf "%d passed, %d failed\n", p, f }' "$log" "$client_log" "$e2e_log" "$py_log"
exit "$status"
