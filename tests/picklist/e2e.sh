#!/usr/bin/env bash
# e2e.sh SCO PICKLIST_SO: runs the real `sco` host with the picklist plugin on tests/picklist/e2e
# (the hand-drawn warehouse, routes as a CSV source) and checks the published tables, the
# files and the errors a user sees. pdftotext/zbarimg checks run when the tools are there.
set -euo pipefail
sco=$1
plugin_dir=$(dirname "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export SCO_PLUGIN_PATH=$plugin_dir NO_COLOR=1

out=$work/out
"$sco" run "$here/e2e/config.yaml" --out "$out" >"$work/log" 2>&1 || { cat "$work/log"; fail "sco run exited $?"; }
for f in picklists.csv picklist_staging.csv picklist_exceptions.csv picklists/R1.pdf \
         picklists/R2.pdf picklists/exceptions.pdf picklists/picklists.html; do
    [ -s "$out/$f" ] || fail "missing $f"
done

csv=$out/picklists.csv
head -1 "$csv" | grep -q '^picklist_id,route_id,line,bin,sku,name,units,cases,orders,' ||
    fail "picklists.csv header: $(head -1 "$csv")"
# column numbers by name, so extra columns may come and go
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
c_id=$(col "$csv" picklist_id); c_bin=$(col "$csv" bin); c_sku=$(col "$csv" sku)
c_units=$(col "$csv" units); c_orders=$(col "$csv" orders); c_short=$(col "$csv" short_units)
c_kg=$(col "$csv" weight_kg)

# walking order inside each R1 cart follows the serpentine walk of the layout
walk="A-01-01-1 A-01-03-1 A-02-03-2 A-02-01-1 A-03-02-1 B-01-01-1 C-02-01-1 C-10-02-1 C-10-01-1"
rank() { local i=0; for b in $walk; do [ "$b" = "$1" ] && { echo $i; return; }; i=$((i+1)); done; echo 99; }
prev_id=""; prev_rank=-1
while IFS=, read -r id bin; do
    [ "$id" != "$prev_id" ] && prev_rank=-1
    r=$(rank "$bin")
    [ "$r" -ge "$prev_rank" ] || fail "cart $id: bin $bin out of walking order"
    prev_id=$id; prev_rank=$r
done < <(awk -F, -v a="$c_id" -v b="$c_bin" 'NR>1 && $a ~ /-R1-/ {print $a "," $b}' "$csv")

# carts of at most 40 kg, several of them for R1's ~75 kg
awk -F, -v a="$c_id" -v k="$c_kg" 'NR>1 {kg[$a]+=$k} END {for (i in kg) if (kg[i] > 40.000001) {print i, kg[i]; exit 1}}' "$csv" ||
    fail "a cart is over 40 kg"
n_carts=$(awk -F, -v a="$c_id" 'NR>1 && $a ~ /-R1-/ {print $a}' "$csv" | sort -u | wc -l)
[ "$n_carts" -ge 2 ] || fail "R1 should need at least 2 carts of 40 kg, got $n_carts"

# units per SKU over R1's carts add up (nothing lost in splitting); SKU-A is short 3 of 15
sum() { awk -F, -v a="$c_id" -v s="$c_sku" -v u="$c_units" -v want="$1" \
        'NR>1 && $a ~ /-R1-/ && $s == want {n+=$u} END {print n+0}' "$csv"; }
for pair in SKU-A:12 SKU-B:4 SKU-C:14 SKU-D:13 SKU-E:40 SKU-F:9 SKU-G:24 SKU-H:1 SKU-I:2; do
    got=$(sum "${pair%%:*}")
    [ "$got" = "${pair#*:}" ] || fail "${pair%%:*}: $got units picked on R1, expected ${pair#*:}"
done
a_row=$(awk -F, -v a="$c_id" -v s="$c_sku" 'NR>1 && $a ~ /-R1-/ && $s == "SKU-A"' "$csv")
[ "$(echo "$a_row" | cut -d, -f"$c_orders")" = "O1:1:7;O2:2:5;O3:3:0" ] || fail "SKU-A split: $a_row"
[ "$(echo "$a_row" | cut -d, -f"$c_short")" = "3" ] || fail "SKU-A short: $a_row"

# staging: last stop first
st=$out/picklist_staging.csv
c_route=$(col "$st" route_id); c_order=$(col "$st" order_id)
got=$(awk -F, -v r="$c_route" -v o="$c_order" 'NR>1 && $r == "R1" {printf "%s ", $o}' "$st")
[ "$got" = "O3 O2 O1 " ] || fail "staging order for R1: '$got'"

# exceptions: the three short orders of SKU-A and the unrouted O5, nothing else
ex=$out/picklist_exceptions.csv
got=$(tail -n +2 "$ex" | cut -d, -f1,2,5 | sort | tr '\n' ' ')
[ "$got" = "not_routed,O5, shortage,O2,SKU-A shortage,O3,SKU-A shortage,O4,SKU-A " ] ||
    fail "exceptions: '$got'"

# the PDF is Letter and lists R1's bins in order (when poppler-utils is installed)
if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then
    pdfinfo "$out/picklists/R1.pdf" | grep -q '612 x 792' || fail "R1.pdf is not Letter"
    text=$(pdftotext -layout "$out/picklists/exceptions.pdf" -)
    echo "$text" | grep -q 'not_routed' || fail "exceptions.pdf lacks not_routed"
    pdftotext -layout "$out/picklists/R1.pdf" "$work/r1.txt"
    grep -q 'PICK LIST 20261129-R1-1' "$work/r1.txt" || fail "R1.pdf header"
    run_id=$(sed -n 's/^  "run_id": *"\([^"]*\)".*/\1/p' "$out/manifest.json")
    [ -n "$run_id" ] || fail "no run_id in manifest.json"
    grep -q "Run $run_id" "$work/r1.txt" || fail "R1.pdf does not name run $run_id"
    grep -q 'Vehicle V01' "$work/r1.txt" || fail "R1.pdf does not name the vehicle"
fi

# config errors name the key and the fix
sed 's/paper: letter/paper: a3/' "$here/e2e/config.yaml" >"$work/bad.yaml"
for f in items stock bins orders order_lines warehouses routes unassigned; do
    cp "$here/e2e/$f.csv" "$work/"
done
set +e
"$sco" run "$work/bad.yaml" --out "$work/bad" >"$work/err" 2>&1
rc=$?
set -e
[ "$rc" = 78 ] || { cat "$work/err"; fail "bad paper: exit $rc, expected 78"; }
grep -q "unknown paper 'a3'; use a4 or letter" "$work/err" || { cat "$work/err"; fail "bad paper message"; }
# a fractional quantity is a data error that names the row
sed 's/paper: a3/paper: a4/' "$work/bad.yaml" >"$work/frac.yaml"
sed -i 's/^O2,SKU-A,7$/O2,SKU-A,2.5/' "$work/order_lines.csv"
set +e
"$sco" run "$work/frac.yaml" --out "$work/frac" >"$work/err" 2>&1
rc=$?
set -e
[ "$rc" = 65 ] || { cat "$work/err"; fail "fractional qty: exit $rc, expected 65"; }
grep -q "order_lines.csv:11: qty 2.5 of order 'O2' sku 'SKU-A' is not a whole number of units" \
    "$work/err" || { cat "$work/err"; fail "fractional qty message"; }
echo "picklist e2e ok: $n_carts carts for R1"
