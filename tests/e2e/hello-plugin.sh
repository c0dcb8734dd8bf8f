#!/bin/sh
# Builds examples/hello-plugin against the *installed* SDK (meson install --destdir into a
# temporary root, then pkg-config with PKG_CONFIG_SYSROOT_DIR), loads it with `sco plugins`
# and runs it. Usage: hello-plugin.sh BUILD_ROOT SOURCE_ROOT SCO_EXE
set -eu
build=$1 src=$2 sco=$3
tmp=$(mktemp -d /tmp/sco-hello-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; exit 1; }
pc=$(find "$tmp/root" -name sco-plugin.pc | head -n 1)
[ -n "$pc" ] || { echo "sco-plugin.pc was not installed"; exit 1; }
hdr=$(find "$tmp/root" -path '*/sco/sco-plugin.h' | head -n 1)
[ -n "$hdr" ] || { echo "sco/sco-plugin.h was not installed"; exit 1; }

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
unset PKG_CONFIG_LIBDIR || true
cp -r "$src/examples/hello-plugin" "$tmp/hello"
rm -rf "$tmp/hello/build"
meson setup "$tmp/hello/build" "$tmp/hello" >"$tmp/setup.log" 2>&1 ||
    { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/hello/build" >"$tmp/ninja.log" 2>&1 || { cat "$tmp/ninja.log"; exit 1; }
# it compiled against the installed header, not the source tree's
grep -q "$tmp/root" "$tmp/hello/build/compile_commands.json" ||
    { echo "hello.c was not compiled against the installed SDK"; exit 1; }
plugindir=$(pkg-config --variable=plugindir sco-plugin)
case "$plugindir" in */sco-1/plugins) ;; *) echo "bad plugindir '$plugindir'"; exit 1 ;; esac

nm -D --defined-only "$tmp/hello/build/hello.so" | grep -q ' T sco_plugin_entry$'
[ "$(nm -D --defined-only "$tmp/hello/build/hello.so" | grep -c ' T ')" -eq 1 ] ||
    { echo "hello.so exports more than sco_plugin_entry"; exit 1; }

export SCO_PLUGIN_PATH="$tmp/hello/build"
"$sco" plugins >"$tmp/plugins.txt" 2>"$tmp/plugins.err" || true
grep -q '^hello 1.0.0 (ABI 1)$' "$tmp/plugins.txt" || { cat "$tmp/plugins.txt" "$tmp/plugins.err"; exit 1; }
grep -q 'greeting (string, default hello): the word to greet with' "$tmp/plugins.txt"

cd "$tmp/hello"
"$sco" run hello.yaml --out "$tmp/out/{date}" 2>"$tmp/run.err" || { cat "$tmp/run.err"; exit 1; }
expected='n,date,text
1,2026-11-29,"hi, Ada"
2,2026-11-30,"hi, Grace"
3,2026-12-01,"hi, Lovelace, Ada"'
got=$(cat "$tmp/out/2026-11-29/greetings.csv")
[ "$got" = "$expected" ] || { echo "unexpected greetings.csv:"; echo "$got"; exit 1; }
echo "hello-plugin: built against the installed SDK, listed and run"
