#!/usr/bin/env bash
# A/B of two engine builds over the real protocol against the fake GitLab, alternating runs.
#   bench/engine-ab.sh BEFORE AFTER [N] [RUNS]   (default N = 1000 creates, RUNS = 7 each)
# BEFORE and AFTER are gitlabcli executables (e.g. release builds of two commits, copied aside).
# Each run is one `gitlabcli serve` answering N create requests (those of bench/engine.sh) from a
# file; prints each run's wall time and CPU time (user + system) in ms, then min, median and max
# per build. The CPU time moves less than the wall time on a loaded machine.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
before=$1 after=$2 n=${3:-1000} runs=${4:-7}
cd "$repo"
cargo build --release --quiet --example fake-gitlab
. "$repo/bench/fake.sh"   # starts the fake: $work, $url, $admin
export GITLAB_URL="$url" GITLAB_ACCESS_TOKEN="$admin" HOME="$work"
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy GITLABCLI_CONCURRENCY

for i in $(seq "$n"); do
  printf '{"v":1,"id":"%d","mode":"run","command":"create-personal-access-token","params":{"user":"42","name":"bench %d","scopes":["api","read_api"],"expire_in_months":6}}\n' "$i" "$i"
done > "$work/runs.jsonl"

one() { # engine -> "wall-ms cpu-ms" (cpu: the engine's user + system time); checks every result
  local times got
  times=$( { TIMEFORMAT='%3R %3U %3S'; time "$1" serve < "$work/runs.jsonl" > "$work/out.jsonl"; } 2>&1 )
  got=$(grep -c '"type":"result"' "$work/out.jsonl" || true)
  [ "$got" -eq "$n" ] || { echo "bench: $1 gave $got results of $n" >&2; exit 1; }
  echo "$times" | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'
}
"$before" serve < "$work/runs.jsonl" > /dev/null   # warm-up, both
"$after" serve < "$work/runs.jsonl" > /dev/null
: > "$work/before.ms"; : > "$work/after.ms"
for r in $(seq "$runs"); do
  one "$before" >> "$work/before.ms"
  one "$after" >> "$work/after.ms"
done
summary() { # column -> "v1 v2 … (min, median, max)"
  cut -d' ' -f"$2" "$1" > "$work/col"
  printf '%s  ' "$(paste -sd' ' "$work/col")"
  sort -n "$work/col" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "(min %d, median %s, max %d ms)\n", a[1], m, a[NR]}'
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall  before: $(summary "$work/before.ms" 1)"
echo "wall  after:  $(summary "$work/after.ms" 1)"
echo "cpu   before: $(summary "$work/before.ms" 2)"
echo "cpu   after:  $(summary "$work/after.ms" 2)"
