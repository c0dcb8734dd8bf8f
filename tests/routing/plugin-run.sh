#!/bin/sh
# The routing plugin through the real host on tests/routing/case: order A1 can only be served
# in its second window (13:00-13:30), A4 in none (06:00-07:00, shift from 08:00), and the one
# vehicle's driver break (30 min starting 11:30-12:30) appears as a `break` row and on the maps;
# the search takes run.threads (2).
# Usage: plugin-run.sh SCO_EXE CASE_DIR
set -eu
sco=$1 case=$2
tmp=$(mktemp -d /tmp/sco-routing-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp "$case"/*.csv "$case"/config.yaml "$tmp"/
unset SCO_PLUGIN_PATH
"$sco" run "$tmp/config.yaml" --out "$tmp/out/{date}" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
out=$tmp/out/2026-11-29
cat "$out/routes.csv"
cat "$out/unassigned.csv"
fail() { echo "FAIL: $*"; exit 1; }
head -1 "$out/routes.csv" | grep -q ',kind$' || fail "routes.csv has no kind column"
# A1 served with service starting in 13:00-13:30 (column 13 = service_start)
a1=$(awk -F, '$5 == "A1" { print $13 }' "$out/routes.csv")
case "$a1" in 13:[0-2][0-9]|13:30) ;; *) fail "A1 service_start '$a1' not in 13:00-13:30" ;; esac
grep -q '^A4,time_window' "$out/unassigned.csv" || fail "A4 should be unassigned: time_window"
# exactly one break row, order_id empty, starting within 11:30-12:30
[ "$(awk -F, '$15 == "break"' "$out/routes.csv" | wc -l)" -eq 1 ] || fail "not one break row"
b=$(awk -F, '$15 == "break" { print "x" $5 "-" $13 }' "$out/routes.csv")
case "$b" in x-11:[3-5][0-9]|x-12:[0-2][0-9]|x-12:30) ;; *) fail "break row '$b'" ;; esac
# the break on the maps: a GeoJSON point and a pause sign with its times in the SVG
grep -q '"kind":"break"' "$out/routes.geojson" || fail "no break in routes.geojson"
grep -q 'break 1[12]:[0-5][0-9]-1[12]:[0-5][0-9]</title>' "$out"/routes-*.svg ||
    fail "no break on the SVG map"
grep -q 'on 2 threads' "$tmp/log" || fail "the search did not use run.threads (2)"
grep -q '"status": "ok"' "$out/manifest.json" || fail "run not ok"
echo "routing plugin-run: ok"
