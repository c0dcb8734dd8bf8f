#!/bin/sh
# shellcheck disable=SC2016  # the single-quoted arguments are awk and sed programs
# test-checker.sh CHECK GEN DEMO_DIR: the consistency checker accepts the shipped data and
# another seed's data, and rejects copies broken in known ways with the expected message.
set -eu
check=$1
gen=$2
demo=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

"$check" "$demo" >/dev/null

# any seed gives a consistent business, and a different one
"$gen" "$tmp/seed7" --seed 7
"$check" "$tmp/seed7" >/dev/null
if cmp -s "$demo/sales.csv" "$tmp/seed7/sales.csv"; then
    echo "test-checker: --seed 7 gave the same sales as the default seed" >&2
    fail=1
fi

# expect NAME MESSAGE COMMAND...: run COMMAND on a fresh copy in $tmp/bad, then the checker
# must fail and print MESSAGE
expect() {
    name=$1
    msg=$2
    shift 2
    rm -rf "$tmp/bad"
    cp -r "$demo" "$tmp/bad"
    (cd "$tmp/bad" && "$@")
    if "$check" "$tmp/bad" >"$tmp/out" 2>&1; then
        echo "test-checker: $name: the checker accepted broken data" >&2
        fail=1
    elif ! grep -qF -- "$msg" "$tmp/out"; then
        echo "test-checker: $name: expected '$msg' in:" >&2
        cat "$tmp/out" >&2
        fail=1
    fi
}

# awk_edit FILE PROGRAM: rewrite FILE with an awk program
awk_edit() {
    awk -F, -v OFS=, "$2" "$1" >"$1.new" && mv "$1.new" "$1"
}

expect unknown-sku "order_lines.csv:" sh -c 'echo "O261129-0001,SKU9999,1,1.00" >>order_lines.csv'
expect negative-stock "on_hand '-5' is not an integer" awk_edit stock.csv 'NR==2{$3=-5}1'
expect sales-after-history "outside 2024-11-29 .. 2026-11-28" \
    awk_edit sales.csv 'NR==2{$1="2026-12-01"}1'
expect bad-date "is not a date" awk_edit customers.csv 'NR==3{$5="2025-02-30"}1'
expect history-beyond-sales "exceeds that day's sales" \
    awk_edit order_history.csv 'NR==2{$5=$5+50000}1'
expect order-amount "but its lines add up to" awk_edit orders.csv 'NR==2{$8=$8+1}1'
expect duplicate-customer "duplicate customer" sh -c 'sed -n 2p customers.csv >>customers.csv'
expect sales-price "list price less promotion" awk_edit sales.csv 'NR==5{$5=$5+1}1'
expect missing-column "missing column 'tw_end'" sed -i '1s/tw_end/tw_stop/' orders.csv
expect missing-bin "has no bin in bins.csv" sed -i '2d' bins.csv
expect short-calendar "calendar must cover" sed -i '/^2027-02-2/,$d' calendar.csv
expect transfer-to-itself "transfer from a warehouse to itself" \
    awk_edit open_orders.csv '$2=="transfer" && !done {$5=$4; done=1}1'
expect overweight "fits no vehicle" awk_edit vehicles.csv 'NR>1{$4=1}1'
expect window "is not before tw_end" awk_edit orders.csv 'NR==2{t=$5; $5=$6; $6=t}1'
expect missing-file "cannot open" rm vehicles.csv

[ $fail -eq 0 ] && echo "test-checker: accepted the shipped and seed-7 data," \
    "rejected 15 broken copies"
exit $fail
