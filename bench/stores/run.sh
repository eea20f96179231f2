#!/usr/bin/env bash
# Every store at 7 and 20 rows per commit, twice, each run in a fresh directory on the current
# disk (not tmpfs), once the machine has been idle for a second (waits at most 3 minutes).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet
bin=target/release/outbox-stores-bench
data=$(mktemp -d "${TMPDIR:-/tmp}/outbox-stores.XXXXXX")
trap 'rm -rf "$data"' EXIT
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
for run in 1 2; do
  for per_commit in 7 20; do
    for store in sqlite sqlite-exclusive fjall redb; do
      for _ in $(seq 180); do
        a=$(busy); sleep 1; b=$(busy)
        [ $((b - a)) -le 10 ] && break
      done
      sync
      "$bin" "$store" "$per_commit" "$data/$store-$per_commit-$run" "${ROWS:-100000}"
      rm -rf "${data:?}/$store-$per_commit-$run"
    done
  done
done
