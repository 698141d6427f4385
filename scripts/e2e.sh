#!/usr/bin/env bash
# The end-to-end test: the built VSIX in a real VS Code (code-server) driven by headless Chromium.
# Installs what it needs first (scripts/e2e-setup.sh: minutes the first time, a second afterwards) and builds
# the VSIX if there is none (E2E_VSIX names another). Screenshots and logs go to tests/e2e/artifacts/.
# The last line is "e2e-summary passed=N failed=N skipped=N".
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/e2e-setup.sh)"
version=$(node -p "require('./package.json').version")
vsix=${E2E_VSIX:-codeassist-$version.vsix}
if [ ! -f "$vsix" ]; then
  bash scripts/package.sh
fi

npx esbuild tests/e2e/run.ts --bundle --platform=node --format=cjs --target=node20 --packages=external \
  --log-level=warning --outfile=tests/e2e/out/run.js
E2E_NODE=$E2E_NODE E2E_CODE_SERVER=$E2E_CODE_SERVER E2E_VSIX=$vsix node tests/e2e/out/run.js
