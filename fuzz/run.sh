#!/usr/bin/env bash
# Runs each fuzz target (or those named after the seconds) for the given number of seconds
# (default 60), starting from
# fuzz/seeds/<target> and fuzz/regressions/<target>, with a scratch corpus outside the
# repository. Needs a nightly toolchain and cargo-fuzz (installed from crates.io when
# missing). Without nightly it says so and exits 0: the targets' bodies still run on stable
# in `cargo test` (tests/cli/properties.rs).
#
# FUZZ_SEED=<n> fixes libFuzzer's random seed (CI uses 1, so its smoke explores the same
# inputs on every run); unset, each run explores new ones.
#
# A target fails on a panic, on an input taking more than 10 s, or on more than 512 MB of
# memory. Crash inputs land in fuzz/artifacts/<target>/; the script exits 1 when there is
# any. Fix the bug, then move the input to fuzz/regressions/<target>/ as its regression test.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=(parse validate edit markdown)
[ "$#" -gt 0 ] && targets=("$@")

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain (cargo-fuzz needs one); skipped. The targets' bodies run in cargo test."
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  if ! cargo +nightly install --locked cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz could not be installed; skipped. The targets' bodies run in cargo test."
    exit 0
  fi
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  echo "== fuzz $t for ${seconds}s"
  start=$(date +%s)
  if ! cargo +nightly fuzz run "$t" "$scratch/$t" "seeds/$t" "regressions/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=512 -max_len=65536 \
      -seed="${FUZZ_SEED:-0}" -print_final_stats=1 2>"$scratch/$t.log"; then
    status=1
    echo "fuzz: $t FAILED; see the input in fuzz/artifacts/$t/"
    tail -n 40 "$scratch/$t.log"
  fi
  runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$scratch/$t.log" | grep -oE '[0-9]+$' || echo "?")
  echo "fuzz: $t ran $(( $(date +%s) - start ))s, $runs inputs, corpus $(ls "$scratch/$t" | wc -l)"
done
exit $status
