#!/usr/bin/env bash
# Measures the engine over its real protocol against the fake GitLab, with hyperfine.
#   bench/engine.sh [N]      (default N = 1000 records)
# Prints hyperfine's tables and writes bench/results/engine-<date>.md.
# Needs: cargo, hyperfine (apt-get install hyperfine). Run from anywhere.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-1000}
cd "$repo"
command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }

cargo build --release --quiet
cargo build --release --quiet --example fake-gitlab
engine="$repo/target/release/gitlabcli"
. "$repo/bench/fake.sh"   # starts the fake: $work, $url, $admin

export GITLAB_URL="$url" GITLAB_ACCESS_TOKEN="$admin" HOME="$work"
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy

# N plan requests (validation only, no HTTP) and N create requests for user 42.
for i in $(seq "$n"); do
  printf '{"v":1,"id":"%d","mode":"plan","command":"create-personal-access-token","params":{"user":"42","name":"bench %d","scopes":["api","read_api"],"expire_in_months":6}}\n' "$i" "$i"
done > "$work/plans.jsonl"
sed 's/"mode":"plan"/"mode":"run"/' "$work/plans.jsonl" > "$work/runs.jsonl"
head -n 1 "$work/runs.jsonl" > "$work/one-run.jsonl"
head -n 100 "$work/runs.jsonl" > "$work/hundred-runs.jsonl"

out="$repo/bench/results"
mkdir -p "$out"
report="$out/engine-$(date +%Y-%m-%d).md"
{
  echo "# Engine benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(uname -srm). Engine: release build. GitLab: the fake, on loopback."
  echo "N = $n records."
  echo
} > "$report"

hyperfine --warmup 2 --runs 10 --export-markdown "$work/h1.md" \
  -n "startup: gitlabcli schema" "$engine schema > /dev/null" \
  -n "$n plans, one serve process" "$engine serve < $work/plans.jsonl > /dev/null"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/h2.md" \
  -n "$n creates, one serve process" "$engine serve < $work/runs.jsonl > /dev/null" \
  -n "100 creates, one process per record" "for i in \$(seq 100); do $engine serve < $work/one-run.jsonl > /dev/null; done" \
  -n "100 creates, one serve process" "$engine serve < $work/hundred-runs.jsonl > /dev/null"

# Sanity: the runs really created tokens (each line answered with a result).
results=$("$engine" serve < "$work/hundred-runs.jsonl" | grep -c '"type":"result"')
echo "check: 100 create requests gave $results results"
[ "$results" -eq 100 ] || { echo "bench: creates failed" >&2; exit 1; }

cat "$work/h1.md" "$work/h2.md" >> "$report"
echo >> "$report"
echo "Check: 100 create requests gave $results results." >> "$report"
echo "bench: wrote $report"
