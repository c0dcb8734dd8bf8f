#!/bin/sh
# The bundled demo business: configs/demo.yaml passes check-config and runs, with the plugins
# of this build tree. Skipped (77) while configs/demo/*.csv are not in the tree.
# Usage: demo.sh SCO_EXE SOURCE_ROOT
set -eu
sco=$1 src=$2
[ -r "$src/configs/demo/items.csv" ] || { echo "configs/demo/*.csv absent: skipped"; exit 77; }
tmp=$(mktemp -d /tmp/sco-demo-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
unset SCO_PLUGIN_PATH
"$sco" check-config "$src/configs/demo.yaml"
"$sco" run "$src/configs/demo.yaml" --out "$tmp/{date}"
[ -f "$tmp/2026-11-29/manifest.json" ] || { echo "no manifest"; exit 1; }
grep -q '"status": "ok"' "$tmp/2026-11-29/manifest.json"
echo "demo: ok"; ls "$tmp/2026-11-29"
