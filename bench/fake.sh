# Sourced by the bench scripts (after `cargo build --release --example fake-gitlab`, with $repo
# set): starts the release fake GitLab in the background and sets $work (a temporary folder,
# removed on exit), $url and $admin (the fake's administrator token).
fake="$repo/target/release/examples/fake-gitlab"
work=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkfifo "$work/fake-stdin"
"$fake" < "$work/fake-stdin" > "$work/fake-info" &
fake_pid=$!
exec 9> "$work/fake-stdin"   # keeps the fake's stdin open until this script exits
for _ in $(seq 50); do [ -s "$work/fake-info" ] && break; sleep 0.1; done
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$work/fake-info")
admin=$(sed -n 's/.*"admin_token":"\([^"]*\)".*/\1/p' "$work/fake-info")
[ -n "$url" ] || { echo "bench: the fake did not start" >&2; exit 1; }
