#!/usr/bin/env bash
# `tally fix` of 100,000 status mismatches, two builds side by side, each on
# its own 1,000,000-order demo shop, alternating runs (no other writer).
#   benches/compare_fix.sh OLD_TALLY NEW_TALLY [runs]
# e.g. a release build of an earlier commit against target/release/tally.
set -euo pipefail
OLD=${1:?old tally binary}; NEW=${2:?new tally binary}; RUNS=${3:-3}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
"$OLD" --db "$D/old.db" demo --orders 1000000 >/dev/null
"$NEW" --db "$D/new.db" demo --orders 1000000 >/dev/null
for i in $(seq "$RUNS"); do
  for who in old new; do
    bin=$OLD; [ "$who" = new ] && bin=$NEW
    cp "$D/$who.db" "$D/w.db"
    sqlite3 "$D/w.db" "UPDATE orders SET payment_status = 'failed' WHERE id IN
      (SELECT order_id FROM payments WHERE status = 'completed' LIMIT 100000);"
    s=$(date +%s.%N)
    "$bin" --db "$D/w.db" --actor bench fix --quiet --json --rule status_mismatch >/dev/null || true
    e=$(date +%s.%N)
    echo "$who run $i: $(echo "$e - $s" | bc) s"
    rm -f "$D"/w.db*
  done
done
