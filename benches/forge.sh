#!/usr/bin/env bash
# Benchmark: `insiden audit` of a history whose every commit the forge signed (an OpenPGP
# RSA-4096 key, as GitHub signs its squash merges), beside the same history signed by a
# member's SSH key (ed25519), both under `signing: required`. Each commit edits one
# incident's body, committed as the forge (`GitHub <noreply@github.com>`) or as the member.
#
#   bash benches/forge.sh [COMMITS]      (default 3000; needs git, gpg and ssh-keygen)
#
# Prints the median of 5 audits of each history and the cost per commit. The histories are
# made with git and gpg, one process per commit (about 30 ms each), on tmpfs when present.
set -euo pipefail
cd "$(dirname "$0")/.."
commits="${1:-3000}"
cargo build --release --quiet
bin="${INSIDEN_BENCH_BIN:-$PWD/target/release/insiden}"
base=/dev/shm; [ -d "$base" ] || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/insiden-forge.XXXX")"
trap 'rm -rf "$work"' EXIT
# A corpus of 1,000 incidents, the same the other benchmarks use.
corpus="$(INSIDEN_BENCH_INCIDENTS=1000 INSIDEN_BENCH_KEEP=1 cargo bench --quiet --bench build 2>/dev/null | sed -n 's/^kept //p')"
trap 'rm -rf "$work" "$corpus"' EXIT
export GNUPGHOME="$work/gnupg" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
  --quick-gen-key "GitHub <noreply@github.com>" rsa4096 sign never 2>/dev/null
ssh-keygen -q -t ed25519 -N "" -f "$work/siti" -C siti

history() { # KIND: forge | member
  local kind=$1 dir="$work/$1"
  mkdir -p "$dir" && cd "$dir" && git init -q -b main
  local pub; pub="$(cat "$work/siti.pub")"
  sed "s|emails: \[siti@example.go.id\] }|emails: [siti@example.go.id], signing_keys: [\"$pub\"] }|" \
    "$corpus/repo/insiden.yaml" > insiden.yaml
  { echo "signing: required"; echo "check:"; echo "  forge_keys:"; echo "    - |"
    gpg --armor --export noreply@github.com | sed 's/^/      /'; } >> insiden.yaml
  mkdir incidents && cp -r "$corpus/repo/incidents/2026" incidents/
  local files=(incidents/2026/*.md) sign
  export GIT_AUTHOR_NAME=Siti GIT_AUTHOR_EMAIL=siti@example.go.id
  if [ "$kind" = forge ]; then
    export GIT_COMMITTER_NAME=GitHub GIT_COMMITTER_EMAIL=noreply@github.com
    sign=(-c gpg.format=openpgp -c user.signingkey=noreply@github.com)
  else
    export GIT_COMMITTER_NAME=Siti GIT_COMMITTER_EMAIL=siti@example.go.id
    sign=(-c gpg.format=ssh -c "user.signingkey=$work/siti")
  fi
  local t=1798768800 i f
  export GIT_AUTHOR_DATE="$t +0700" GIT_COMMITTER_DATE="$t +0700"
  git add -A && git "${sign[@]}" commit -q -S -m impor
  for i in $(seq "$commits"); do
    f="${files[$((i % ${#files[@]}))]}"
    echo "Catatan $i." >> "$f"
    t=$((t + 60)); export GIT_AUTHOR_DATE="$t +0700" GIT_COMMITTER_DATE="$t +0700"
    git add "$f" && git "${sign[@]}" commit -q -S -m "catatan $i"
  done
  git gc -q
  cd - >/dev/null
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
audit() { # DIR -> seconds
  local s e
  s=$(date +%s.%N); "$bin" -C "$1" audit --format json >/dev/null || true; e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'
}
history forge
history member
declare -A med
for kind in forge member; do
  med[$kind]=$(for _ in 1 2 3 4 5; do audit "$work/$kind"; done | median)
done
printf 'audit of %d commits signed by the forge (OpenPGP RSA-4096): %.2f s (median of 5)\n' "$((commits + 1))" "${med[forge]}"
printf 'audit of %d commits signed by a member (SSH ed25519):       %.2f s\n' "$((commits + 1))" "${med[member]}"
awk -v f="${med[forge]}" -v m="${med[member]}" -v n="$((commits + 1))" \
  'BEGIN { printf "the forge signature costs %.0f µs per commit more\n", (f - m) * 1e6 / n }'
