#!/usr/bin/env bash
# Regenerates docs/images/ab-ba-trace-json.png: the AB-BA lesson's
# --trace-json opened in a standard viewer of Chrome Trace Event JSON, the
# Performance panel of Chromium's DevTools (shipped inside Debian's chromium).
# A documentation step, not part of `make check`: it needs Debian's chromium
# and nodejs/npm, and fetches puppeteer-core (which only drives the installed
# chromium, it downloads no browser) from npm into a scratch directory.
# Usage: docs/images/trace-json-shot.sh   (RUNNER=path/to/weave_models to reuse a build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runner=${RUNNER:-$root/build/model/models/weave_models}
if [ ! -x "$runner" ]; then
  (cd "$root" && cmake --preset model >/dev/null && cmake --build build/model -j2 --target weave_models)
fi
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$runner" --filter '^classic_ab_ba_deadlock$' --trace-json "$work/ab-ba.trace.json" >/dev/null
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund puppeteer-core@24 >/dev/null)
CHROMIUM=$chromium NODE_PATH=$work/node_modules \
  node "$root/docs/images/trace-json-shot.cjs" "$work/ab-ba.trace.json" "$root/docs/images/ab-ba-trace-json.png"
echo "wrote docs/images/ab-ba-trace-json.png"
