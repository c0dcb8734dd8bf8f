#!/usr/bin/env bash
# The inventory plugin end to end through the real sco host: tests/inventory/e2e/ (a tiny
# business with a forecast_cumulative source), then a bad stock row that must name the row.
# usage: e2e.sh SCO_EXE PLUGIN_DIR CASE_DIR
set -euo pipefail
sco=$1 plugdir=$2 case=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$case"/*.csv "$case"/config.yaml "$work"/
export SCO_PLUGIN_PATH=$plugdir
fail() { echo "e2e inventory: $*" >&2; exit 1; }
"$sco" run "$work/config.yaml" > "$work/log.txt" 2>&1 || { cat "$work/log.txt" >&2; fail "run failed"; }
o=$work/out/2026-11-29
for t in inventory_policy purchase_orders transfers inventory_exceptions inventory_plan; do
    [ -s "$o/$t.csv" ] || fail "missing $t.csv"
done
[ "$(($(wc -l < "$o/inventory_policy.csv") - 1))" -eq 5 ] || fail "policy rows"
[ "$(($(wc -l < "$o/purchase_orders.csv") - 1))" -ge 1 ] || fail "no purchase orders"
grep -q '^TR-2026-11-29-1,W2,W1,A,' "$o/transfers.csv" || fail "expected a transfer of A from W2 to W1"
grep -q '^gap_pct,' "$o/inventory_plan.csv" || fail "no gap in the plan summary"
# budget per order day respected
awk -F, '$1=="budget_used" && $4 > 400.0001 { bad=1 } END { exit bad }' "$o/inventory_plan.csv" \
    || fail "budget exceeded"
ls "$o"/po/S1_W1.csv "$o"/po/S1_W1.html > /dev/null || fail "missing PO files"
# a negative stock row stops the run with the row named (exit 65: bad data)
sed -i 's/^B,W1,3$/B,W1,-3/' "$work/stock.csv"
set +e
"$sco" run "$work/config.yaml" > "$work/log2.txt" 2>&1
rc=$?
set -e
[ "$rc" -eq 65 ] || { cat "$work/log2.txt" >&2; fail "bad stock: exit $rc, expected 65"; }
grep -q "stock.csv:4: on_hand -3 of sku 'B' at 'W1' is negative" "$work/log2.txt" \
    || { cat "$work/log2.txt" >&2; fail "bad stock: message does not name the row"; }
echo "e2e inventory: ok"
