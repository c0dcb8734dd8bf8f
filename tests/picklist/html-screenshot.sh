#!/usr/bin/env bash
# html-screenshot.sh RENDER_FIXTURE [OUTDIR]: renders the fixture's HTML view and takes a
# headless Chromium screenshot of it. Exit 77 (skip) when chromium is not installed
# (scripts/deps bench installs it). Keeps the PNG in OUTDIR when given.
set -euo pipefail
render=$1
out=${2:-}
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
    echo "chromium not installed; skipping (apt-get install chromium)" >&2
    exit 77
fi
work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT
"$render" "$work" a4 20
png=$work/picklists.png
# timeout: a wedged browser must not hang the suite
timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1000,1400 \
    --force-device-scale-factor=2 \
    --screenshot="$png" "file://$work/picklists.html" >"$work/chromium.log" 2>&1 || {
    cat "$work/chromium.log" >&2
    exit 1
}
[ -s "$png" ] || { echo "no screenshot written" >&2; cat "$work/chromium.log" >&2; exit 1; }
size=$(stat -c %s "$png")
# a blank page compresses to a few kB; a page of tables and barcodes is far bigger
if [ "$size" -lt 20000 ]; then
    echo "screenshot is only $size bytes: page looks blank" >&2
    exit 1
fi
# the PNG header says 2000 x 2800 (1000 x 1400 CSS pixels at scale 2)
dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print ($1*16777216+$2*65536+$3*256+$4) "x" ($5*16777216+$6*65536+$7*256+$8)}')
[ "$dims" = "2000x2800" ] || { echo "unexpected screenshot size $dims" >&2; exit 1; }
# the inline SVG barcodes of the first pick list decode from the screenshot
if command -v zbarimg >/dev/null; then
    codes=$(zbarimg -q -Sdisable -Scode128.enable "$png" || true)
    for want in 20261129-R1-1 A-01-01-1 SKU-A A-01-03-1; do
        grep -qx "CODE-128:$want" <<<"$codes" || {
            echo "barcode '$want' not decoded from the screenshot; got:" >&2
            echo "$codes" >&2
            exit 1
        }
    done
fi
# the print stylesheet: printed to PDF, every pick list, staging sheet and the exceptions sheet
# start their own A4 page
if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then
    timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
        --user-data-dir="$profile" --no-pdf-header-footer --print-to-pdf="$work/print.pdf" \
        "file://$work/picklists.html" >"$work/chromium-print.log" 2>&1 || {
        cat "$work/chromium-print.log" >&2
        exit 1
    }
    pdfinfo "$work/print.pdf" | grep -q '(A4)' || { echo "printed html is not A4" >&2; exit 1; }
    pages=$(pdfinfo "$work/print.pdf" | awk '/^Pages:/ {print $2}')
    firsts=""
    for i in $(seq 1 "$pages"); do
        first=$(pdftotext -f "$i" -l "$i" -layout "$work/print.pdf" - |
                grep -m1 -oE '(PICK LIST [0-9A-Za-z-]+|STAGING SHEET [0-9A-Za-z-]+|EXCEPTIONS)' || true)
        firsts="$firsts${first:-?};"
    done
    want="PICK LIST 20261129-R1-1;PICK LIST 20261129-R1-2;PICK LIST 20261129-R1-3;PICK LIST 20261129-R1-4;PICK LIST 20261129-R1-5;STAGING SHEET R1;PICK LIST 20261129-R2-1;STAGING SHEET R2;EXCEPTIONS;"
    [ "$firsts" = "$want" ] || { echo "printed pages: $firsts" >&2; echo "expected:       $want" >&2; exit 1; }
fi
if [ -n "$out" ]; then
    mkdir -p "$out"
    cp "$work"/*.png "$work"/*.pdf "$work"/picklists.html "$out"/
fi
echo "screenshot ok: $png ($size bytes, $dims)"
