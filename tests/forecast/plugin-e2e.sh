#!/usr/bin/env bash
# plugin-e2e.sh SCO_EXE PLUGIN_DIR: the forecast plugin end to end through the real host on a
# small generated business (4 SKUs x 2 warehouses, 150 days): outputs and their shapes, the
# model with a saved and warm-started weights file, and bad inputs named by row.
set -euo pipefail
sco=$1
export SCO_PLUGIN_PATH=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# deterministic weekly-seasonal counts; SKU4 starts selling late (leading zeros)
awk 'BEGIN {
    srand(7); print "date,sku,warehouse,qty";
    split("1 1 1 1 2 3 2", wk, " ");
    for (d = 0; d < 150; d++) {
        t = 1704067200 + d * 86400; date = strftime("%Y-%m-%d", t, 1);
        for (s = 1; s <= 4; s++) for (w = 1; w <= 2; w++) {
            if (s == 4 && d < 140) continue;
            lam = s * wk[(d % 7) + 1] * (w == 1 ? 1 : 0.5);
            q = int(lam * 2 * rand() + 0.5);
            if (q > 0) printf "%s,SKU%d,WH%d,%d\n", date, s, w, q;
        }
    }
}' > "$tmp/sales.csv"
printf 'sku,category\nSKU1,a\nSKU2,a\nSKU3,b\nSKU4,b\n' > "$tmp/items.csv"
# numeric columns (a SNAP-like flag on days 1-10 of each month, a temperature) are model
# channels; the text columns (weekday, season) and an empty one (note) are not
awk 'BEGIN { print "date,weekday,holiday,event,snap,season,note,temp";
    for (d = 0; d < 200; d++) { t = 1704067200 + d * 86400;
        printf "%s,%s,%s,%s,%d,%s,,%.1f\n", strftime("%Y-%m-%d", t, 1), strftime("%a", t, 1),
            d == 121 ? "Labour Day" : "", d == 140 ? "Sale" : "",
            strftime("%d", t, 1) + 0 <= 10, d < 80 ? "winter" : "spring", 5 + d * 0.1 } }' \
    > "$tmp/calendar.csv"
printf 'sku,warehouse,start_date,end_date,discount_pct\nSKU2,,2024-05-25,2024-06-03,20\n' \
    > "$tmp/promotions.csv"

config() { # method extra-config-lines
    cat > "$tmp/c.yaml" <<YAML
run:
  date: 2024-05-30
  output: out/{date}
  device: cpu
  threads: 1
  seed: 3
sources:
  sales: { kind: csv, path: sales.csv, columns: { date: date, qty: f64 } }
  items: { kind: csv, path: items.csv }
  calendar: { kind: csv, path: calendar.csv, columns: { date: date } }
  promotions: { kind: csv, path: promotions.csv,
                columns: { start_date: date, end_date: date, discount_pct: f64 } }
stages:
  forecast:
    inputs: { sales: sales, items: items, calendar: calendar, promotions: promotions }
    config:
      horizon_days: 14
      backtest_windows: 2
      sample_paths: 100
      method: $1
      plot_skus: [SKU1]
$2
YAML
}

# 1. statistical methods: shapes and consistency
config stat ""
"$sco" run "$tmp/c.yaml" > "$tmp/log1" 2>&1 || { cat "$tmp/log1"; fail "stat run failed"; }
out=$tmp/out/2024-05-30
[ "$(head -1 "$out/forecast.csv")" = "sku,warehouse,date,mean,q10,q50,q90,q95,q99" ] ||
    fail "forecast header: $(head -1 "$out/forecast.csv")"
[ "$(wc -l < "$out/forecast.csv")" -eq $((8 * 14 + 1)) ] || fail "forecast rows"
[ "$(head -1 "$out/forecast_cumulative.csv")" = "sku,warehouse,days,mean,q10,q50,q90,q95,q99" ] ||
    fail "cumulative header"
grep -q '^SKU1,WH1,2024-05-30,' "$out/forecast.csv" || fail "first forecast day is the planning date"
# quantiles monotone in level, cumulative mean and q90 non-decreasing in k
awk -F, 'NR > 1 && !($5 <= $6 && $6 <= $7 && $7 <= $8 && $8 <= $9) { bad = 1 }
         END { exit bad }' "$out/forecast.csv" || fail "daily quantiles not monotone"
awk -F, 'NR > 1 { k = $1 "," $2; if (k == prev && ($4 < m || $7 < q)) bad = 1;
         prev = k; m = $4; q = $7 } END { exit bad }' "$out/forecast_cumulative.csv" ||
    fail "cumulative quantiles not monotone in k"
grep -q '^(pooled),' "$out/forecast_backtest.csv" || fail "no pooled backtest row"
grep -q '^SKU4,WH1,combo,0,.*too short' "$out/forecast_backtest.csv" ||
    fail "short series fallback reason: $(grep '^SKU4,WH1' "$out/forecast_backtest.csv")"
[ -s "$out/plots/forecast_SKU1_WH1.svg" ] || fail "no plot for SKU1"

# 2. the model: trained and saved, then warm-started
config auto "      epochs: 2
      fine_tune_epochs: 1
      model_path: model.scop"
"$sco" run "$tmp/c.yaml" > "$tmp/log2" 2>&1 || { cat "$tmp/log2"; fail "model run failed"; }
grep -q 'model: trained mlp' "$tmp/log2" || { cat "$tmp/log2"; fail "model not trained"; }
grep -q 'model: calendar channels snap, temp$' "$tmp/log2" ||
    { cat "$tmp/log2"; fail "snap and temp columns not (the only) model channels"; }
[ -s "$tmp/model.2024-05-30.scop" ] || fail "weights not saved under the planning date"
config auto "      epochs: 2
      fine_tune_epochs: 1
      model_path: model.scop
      warm_start: true"
# the same date again: no weights of an earlier date, so trained anew (as the first attempt)
"$sco" run "$tmp/c.yaml" > "$tmp/log3" 2>&1 || { cat "$tmp/log3"; fail "re-run failed"; }
grep -q "model: no weights of a planning date before this one next to '.*model.scop'" \
    "$tmp/log3" || { cat "$tmp/log3"; fail "re-run of a date did not say why it trained anew"; }
grep -q 'model: trained mlp' "$tmp/log3" || { cat "$tmp/log3"; fail "re-run not trained"; }
# the next night warm-starts from the earlier date's weights; re-running it gives the same
# forecast, although its first attempt already saved weights of its own date
"$sco" run "$tmp/c.yaml" --date 2024-05-31 > "$tmp/log3" 2>&1 ||
    { cat "$tmp/log3"; fail "warm start failed"; }
grep -q 'model: warm-started' "$tmp/log3" || { cat "$tmp/log3"; fail "not warm-started"; }
[ -s "$tmp/model.2024-05-31.scop" ] || fail "next night's weights not saved"
cp "$tmp/out/2024-05-31/forecast.csv" "$tmp/warm1.csv"
"$sco" run "$tmp/c.yaml" --date 2024-05-31 > "$tmp/log3" 2>&1 ||
    { cat "$tmp/log3"; fail "warm start re-run failed"; }
grep -q 'model: warm-started' "$tmp/log3" || { cat "$tmp/log3"; fail "re-run not warm-started"; }
cmp -s "$tmp/warm1.csv" "$tmp/out/2024-05-31/forecast.csv" ||
    fail "re-running a warm-started night changed its forecast"
# only the newest 7 planning dates are kept
for d in 01 02 03 04 05 06 07 08; do
    cp "$tmp/model.2024-05-30.scop" "$tmp/model.2023-01-$d.scop"
done
touch "$tmp/model.notadate.scop"
"$sco" run "$tmp/c.yaml" --date 2024-05-31 > "$tmp/log3" 2>&1 ||
    { cat "$tmp/log3"; fail "run failed"; }
[ "$(ls "$tmp" | grep -c '^model\.[0-9-]*\.scop$')" -eq 7 ] ||
    { ls "$tmp"; fail "old weights not pruned to 7"; }
[ -e "$tmp/model.2023-01-08.scop" ] && [ ! -e "$tmp/model.2023-01-03.scop" ] ||
    { ls "$tmp"; fail "pruned the wrong weights"; }
[ -e "$tmp/model.notadate.scop" ] || fail "a file of another name was removed"

# 3. bad inputs are named by row, exit status 65 (data error)
config stat ""
cp "$tmp/sales.csv" "$tmp/good.csv"
sed -i '5s/,[0-9]*$/,-3/' "$tmp/sales.csv"
set +e
"$sco" run "$tmp/c.yaml" > "$tmp/log4" 2>&1
rc=$?
set -e
[ $rc -eq 65 ] || { cat "$tmp/log4"; fail "negative qty: exit $rc, want 65"; }
grep -q "sales.csv:5: negative qty -3" "$tmp/log4" || { cat "$tmp/log4"; fail "row not named"; }
cp "$tmp/good.csv" "$tmp/sales.csv"
printf 'sku,category\nSKU1,a\nSKU2,a\nSKU3,b\n' > "$tmp/items.csv"
set +e
"$sco" run "$tmp/c.yaml" > "$tmp/log5" 2>&1
rc=$?
set -e
[ $rc -eq 65 ] || { cat "$tmp/log5"; fail "unknown sku: exit $rc, want 65"; }
grep -q "sales.csv:[0-9]*: sku 'SKU4' is not in items" "$tmp/log5" ||
    { cat "$tmp/log5"; fail "unknown sku not named"; }
echo "ok"
