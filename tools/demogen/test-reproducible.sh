#!/bin/sh
# test-reproducible.sh GEN DEMO_DIR: regenerates the demo business with the default seed into a
# temporary folder and compares every CSV byte for byte with the shipped DEMO_DIR.
set -eu
gen=$1
demo=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$gen" "$tmp/out"
(cd "$demo" && ls -1 -- *.csv) >"$tmp/want"
(cd "$tmp/out" && ls -1 -- *.csv) >"$tmp/got"
if ! cmp -s "$tmp/want" "$tmp/got"; then
    echo "demogen-reproducible: the generator writes other tables than $demo holds:" >&2
    diff "$tmp/want" "$tmp/got" >&2 || true
    exit 1
fi
status=0
while read -r f; do
    if ! cmp -- "$demo/$f" "$tmp/out/$f" >&2; then
        echo "demogen-reproducible: $f differs from the shipped copy; regenerate with" \
             "'sco-demogen configs/demo' and commit, or fix the generator" >&2
        status=1
    fi
done <"$tmp/want"
# a second run in the same process environment must agree with the first
"$gen" "$tmp/again"
while read -r f; do
    if ! cmp -s "$tmp/out/$f" "$tmp/again/$f"; then
        echo "demogen-reproducible: $f differs between two runs" >&2
        status=1
    fi
done <"$tmp/got"
[ $status -eq 0 ] && echo "demogen-reproducible: $(wc -l <"$tmp/want") tables identical to $demo"
exit $status
