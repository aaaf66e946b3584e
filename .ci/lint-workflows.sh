#!/usr/bin/env bash
# Lints .github/workflows/, src/init/workflows/ and action.yml (see lint-workflows.mjs).
# Exit status: 0 clean, non-zero on any finding or when the linter cannot run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "lint-workflows: node (v20 or later) is not installed" >&2
  exit 2
fi

if [ -f .ci/package-lock.json ]; then
  npm ci --prefix .ci --no-audit --no-fund --loglevel=error
else
  npm install --prefix .ci --no-audit --no-fund --loglevel=error
fi

exec node .ci/lint-workflows.mjs
