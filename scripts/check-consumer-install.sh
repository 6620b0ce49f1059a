#!/usr/bin/env bash
# Installs estibench as a user would: `npm pack`, then `npm install <tarball>` into an empty project
# with no configuration of its own, and checks that the package works there: --version, list --json,
# a small bench with a TypeScript plug-in that imports from 'estibench' (type-checked with tsc), and
# that no GPU stack or GPU provider binary came along. Run before every release (npm run check:install).
# Exits non-zero at the first failing step, naming it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/estibench-consumer-XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { printf 'check-consumer-install: %s\n' "$*" >&2; exit 1; }

# `npm run` exports the repository's npm settings (npm_config_*, from its .npmrc) to this script:
# the consumer must install without them, as a user's project would.
clean_env=(env -u ONNXRUNTIME_NODE_INSTALL)
while IFS='=' read -r name _; do
  case "$name" in npm_config_*|npm_package_*|npm_lifecycle_*|INIT_CWD) clean_env+=(-u "$name") ;; esac
done < <(env)

step "packing $repo (npm pack builds dist/ through the prepare script)"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
[ -f "$work/$tarball" ] || fail "npm pack wrote no tarball"
version="$(node -p "require('$repo/package.json').version")"

consumer="$work/consumer"
mkdir "$consumer"
cd "$consumer"
cat > package.json <<'JSON'
{ "name": "estibench-consumer-check", "version": "1.0.0", "private": true, "type": "module" }
JSON
[ ! -e .npmrc ] || fail "the consumer project must have no .npmrc"

step "npm install $tarball into an empty project, no configuration"
"${clean_env[@]}" npm install "$work/$tarball" --no-audit --no-fund --loglevel=error || fail "npm install of the tarball failed"

step "checking that no GPU stack came along"
for package in gpu.js gl webgpu onnxruntime-node; do
  [ ! -e "node_modules/$package" ] || fail "node_modules/$package was installed; it must be an optional peer dependency"
done
if find node_modules -name 'libonnxruntime_providers_*' -print -quit | grep -q .; then fail "GPU provider binaries were installed"; fi

step "npx estibench --version"
reported="$("${clean_env[@]}" npx --no-install estibench --version)"
[ "$reported" = "$version" ] || fail "--version printed '$reported', expected '$version'"

step "npx estibench list --json"
"${clean_env[@]}" npx --no-install estibench list --json > list.json
node -e "
  const listed = JSON.parse(require('fs').readFileSync('list.json', 'utf8'));
  if (!listed.estimators.some((e) => e.id === 'ste-identity') || !listed.suites.some((s) => s.id === 'bernoulli-toy')) process.exit(1);
" || fail "list --json does not list the built-in estimators and suites"

step "writing a TypeScript plug-in that imports from 'estibench', and type-checking it"
cat > reinforce-plain.ts <<'TS'
import { defineEstimator, type EstimatorDefinition } from 'estibench';

/** Plain REINFORCE (no baseline): unbiased, one objective evaluation per estimate. */
export const reinforcePlain: EstimatorDefinition = defineEstimator({
  id: 'reinforce-plain',
  title: 'REINFORCE without baseline',
  citation: 'Williams (1992)',
  family: 'score-function',
  nodeKinds: ['bernoulli'],
  claimsUnbiased: true,
  params: {},
  noise: ['uniform'],
  evaluations: 1,
  needs: { objective: true, objectiveGradient: false },
  kernels: {
    forward: function reinforcePlainForward(p: number, u: number): number { return u < p ? 1 : 0; },
    gradient: function reinforcePlainGradient(h: number, p: number, objective: number): number { return (h - p) * objective; },
  },
});
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "types": [] },
  "files": ["reinforce-plain.ts"] }
JSON
node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.json || fail "the plug-in does not type-check against the installed package"

step "a small bench with the plug-in (cpu backend, charts included)"
"${clean_env[@]}" npx --no-install estibench bench --plugin reinforce-plain.ts --estimator reinforce-plain,ste-identity --suite bernoulli-toy \
  --backend cpu --samples 400 --steps 2 --train-seeds 1 --timing-iterations 1 --out bench-out > bench.log 2>&1 || { cat bench.log; fail "the bench with the plug-in failed"; }
node -e "
  const results = JSON.parse(require('fs').readFileSync('bench-out/results.json', 'utf8'));
  const cells = results.cells.filter((cell) => cell.estimator === 'reinforce-plain' && cell.state === 'completed');
  if (cells.length !== 1) process.exit(1);
" || { cat bench.log; fail "results.json has no completed reinforce-plain cell"; }
ls bench-out/*.png > /dev/null 2>&1 || fail "the bench wrote no PNG chart"

step "the gpu backend without gpu.js says in one line how to add it"
"${clean_env[@]}" npx --no-install estibench bench --backend gpu --estimator ste-identity --suite bernoulli-toy --samples 400 --steps 0 \
  --timing-iterations 0 --no-report --out gpu-out > gpu.log 2>&1 || true
grep -m 1 'add it with: npm install gpu.js@' gpu.log || { cat gpu.log; fail "no line saying how to add gpu.js"; }

step "a plug-in of a type estibench does not load exits 2 with one line"
printf 'x = 1\n' > plugin.py
set +e
"${clean_env[@]}" npx --no-install estibench list --plugin plugin.py > /dev/null 2> refused.log
code=$?
set -e
[ "$code" = 2 ] && [ "$(wc -l < refused.log)" = 1 ] || { cat refused.log; fail "--plugin plugin.py exited $code, expected 2 with one line"; }

step "all checks passed (tarball $tarball, $(du -sh node_modules | cut -f1) of node_modules)"
