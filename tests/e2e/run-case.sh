#!/bin/sh
# Runs one data-driven end-to-end case: CASE/config.yaml with its inputs, then compares
# CASE/expected/*.csv with the run's output folder byte for byte. CASE/expected/exit_code
# (default 0) is the exit status sco must return; for a failed run the outputs are compared
# in the kept DATE.failed-RUNID folder, and CASE/expected/statuses lists "stage status"
# lines the manifest must contain. Usage: run-case.sh SCO_EXE TEST_PLUGIN_DIR CASE_DIR
set -eu
sco=$1 plugins=$2 case=$3
tmp=$(mktemp -d /tmp/sco-case-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r "$case"/. "$tmp/case"
cd "$tmp/case"
want=0
[ -f expected/exit_code ] && want=$(cat expected/exit_code)
set +e
SCO_PLUGIN_PATH="$plugins" ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}handle_segv=0" \
    "$sco" run config.yaml --out "$tmp/out/{date}" 2>"$tmp/stderr"
got=$?
set -e
if [ "$got" != "$want" ]; then
    echo "exit status $got, expected $want"; cat "$tmp/stderr"; exit 1
fi
dir=$(ls -d "$tmp"/out/*/ | head -n 1)
[ -n "$dir" ] || { echo "no output folder"; exit 1; }
for f in expected/*.csv; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    cmp -s "$f" "$dir/$name" || { echo "$name differs:"; diff "$f" "$dir/$name" || true; exit 1; }
done
if [ -f expected/statuses ]; then
    while read -r stage status; do
        tr -d '\n ' <"$dir/manifest.json" |
            grep -q "\"name\":\"$stage\",\"plugin\":\"[a-z0-9_-]*\",\"plugin_version\":\"[^\"]*\",\"status\":\"$status\"" ||
            { echo "stage $stage is not $status in the manifest"; cat "$dir/manifest.json"; exit 1; }
    done <expected/statuses
fi
echo "ok: $(basename "$case")"
