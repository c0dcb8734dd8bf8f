#!/usr/bin/env bash
# bench/gpu.sh: everything GPU in one go, for a session that has the GPU machine (CUDA
# toolkit, nvcc, meson, ninja; no network needed).
#   1. builds with -Dcuda=enabled (release) into build-gpu/;
#   2. runs the runtime test suite: the GPU tests (every op cuda vs cpu, the larger device
#      cases, MLP training with and without clipping, device index errors) run in full
#      instead of skipping; then the cuda tests once more under compute-sanitizer memcheck
#      (out-of-bounds or misaligned accesses in our kernels) when it is installed;
#   3. sgemm TFLOP/s through the runtime vs cuBLAS's own figure (direct cublasSgemm on device
#      buffers), FP32 and TF32;
#   4. training throughput (MLP, TCN, GRU) on cuda vs the CPU backend, and the speedup;
#   5. the forecast plugin's global model trained on the M5 rolling windows (fc-bench) on
#      cuda and on the CPU: training samples/s, the speedup, and the model's RMSSE on both
#      (they should agree to a few 1e-3: float sums in another order, same seed). Needs the
#      whole project built and the forecast data: --data DIR (default ../shared/data/forecast;
#      the device machine has no ../shared, so copy the folder to an ignored path such as
#      bench/out/data and carry it).
# Prints a short table at the end; raw outputs go to bench/out/gpu/<timestamp>/.
# usage: bench/gpu.sh [--threads N] [--data DIR]   (CPU threads for the comparisons: nproc)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
threads=$(nproc)
fcdata=$root/../shared/data/forecast
while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=$2; shift 2 ;;
    --data) fcdata=$2; shift 2 ;;
    *) echo "usage: bench/gpu.sh [--threads N] [--data DIR]" >&2; exit 64 ;;
    esac
done
export PATH=/usr/local/cuda/bin:$PATH
build=$root/build-gpu
out=$root/bench/out/gpu/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
fail=0

echo "== device ==" >&2
nvidia-smi -L 2>&1 | tee "$out/device.txt" >&2 || echo "nvidia-smi unavailable" >&2

echo "== build (-Dcuda=enabled) ==" >&2
bin=$build/bench/runtime/bench-runtime
have_tests=0
if { [ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release -Dcuda=enabled \
        >"$out/setup.txt" 2>&1; } && ninja -C "$build" >"$out/build.txt" 2>&1; then
    [ -f "$build/src/runtime/cuda/sco-backend-cuda.so" ] || { echo "gpu.sh: CUDA module not built" >&2; exit 1; }
    [ -x "$build/tests/runtime/test-runtime-backend" ] && have_tests=1
    test_cmd=(meson test -C "$build" --suite runtime --print-errorlogs)
else
    # The whole project needs libyaml, GLPK ...; a GPU box may lack them. Build just the
    # runtime, its CUDA module, the benchmark and (with Criterion) the runtime tests by hand.
    echo "gpu.sh: meson build failed (see $out/setup.txt, $out/build.txt); building the runtime alone" >&2
    build=$root/build-gpu-min
    mkdir -p "$build/cuda" "$build/tests"
    blas=(); pkg-config --exists openblas && blas=(-DSCO_HAVE_BLAS=1 $(pkg-config --cflags --libs openblas))
    cflags=(-O3 -std=c11 -D_GNU_SOURCE -fno-trapping-math -I"$root/include" -I"$root/src/runtime"
            "-DSCO_BACKEND_BUILDDIR=\"$build/cuda\"")
    srcs=("$root"/src/runtime/{runtime,graph,exec,params,optim,pool}.c "$root/src/runtime/cpu/cpu-backend.c")
    nvcc -O2 -std=c++17 -shared -Xcompiler -fPIC -I"$root/include" -I"$root/src/runtime" \
        -gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=sm_80 \
        -o "$build/cuda/sco-backend-cuda.so" "$root/src/runtime/cuda/cuda-backend.cu" \
        -lcublas -lcudnn -lcudart || { echo "gpu.sh: nvcc failed" >&2; exit 1; }
    bin=$build/bench-runtime
    cc "${cflags[@]}" "${srcs[@]}" "$root/bench/runtime/bench-runtime.c" -o "$bin" \
        "${blas[@]}" -lm -ldl -lpthread || { echo "gpu.sh: cc failed" >&2; exit 1; }
    if [ -f /usr/include/criterion/criterion.h ]; then
        have_tests=1
        for t in grad backend train params runtime; do
            cc "${cflags[@]}" "-DTEST_BACKEND_DIR=\"$build/cuda\"" "-DTEST_TMPDIR=\"$build/tests\"" \
                "${srcs[@]}" "$root/tests/runtime/cases.c" "$root/tests/runtime/test-$t.c" \
                -o "$build/tests/test-runtime-$t" "${blas[@]}" -lcriterion -lm -ldl -lpthread || fail=1
        done
    fi
    test_cmd=(bash -c "rc=0; for t in $build/tests/test-runtime-*; do echo \$t; \$t --verbose || rc=1; done; exit \$rc")
fi

echo "== runtime tests (GPU tests in full) ==" >&2
trc=1
if [ $have_tests -eq 1 ]; then
    "${test_cmd[@]}" >"$out/tests.txt" 2>&1; trc=$?
    tail -15 "$out/tests.txt" >&2
    grep -h -E "SKIP|skipped" "$out/tests.txt" "$build/meson-logs/testlog.txt" 2>/dev/null >&2 || true
else
    echo "gpu.sh: Criterion is not installed here; runtime tests not built" >&2
fi
[ $trc -eq 0 ] || fail=1

echo "== compute-sanitizer memcheck of the cuda tests ==" >&2
san=skipped
tb=$build/tests/runtime/test-runtime-backend
[ -x "$tb" ] || tb=$build/tests/test-runtime-backend
if command -v compute-sanitizer >/dev/null && [ -x "$tb" ]; then
    timeout 900 compute-sanitizer --tool memcheck --target-processes all --error-exitcode 9 \
        "$tb" --filter 'backend/cuda*' --jobs 1 >"$out/memcheck.txt" 2>&1 && san=clean || {
        san=FAIL; fail=1; }
    tail -5 "$out/memcheck.txt" >&2
fi

echo "== cuBLAS reference ==" >&2
nvcc -O2 -o "$out/cublas-sgemm" "$root/bench/runtime/cublas-sgemm.cu" -lcublas 2>&1 >&2
"$out/cublas-sgemm" | tee "$out/cublas.txt" >&2
"$out/cublas-sgemm" tf32 | tee -a "$out/cublas.txt" >&2

echo "== runtime sgemm on cuda (fp32, then tf32) ==" >&2
"$bin" --device cuda --only sgemm | tee "$out/rt-sgemm.txt" >&2 || fail=1
SCO_ALLOW_TF32=1 "$bin" --device cuda --only sgemm | sed 's/^sgemm /sgemm_tf32 /' \
    | tee -a "$out/rt-sgemm.txt" >&2 || fail=1

echo "== training: cuda vs cpu ($threads threads) ==" >&2
"$bin" --device cuda --only train --epochs 5 | tee "$out/train-cuda.txt" >&2 || fail=1
"$bin" --device cpu --threads "$threads" --only train --epochs 5 | tee "$out/train-cpu.txt" >&2 || fail=1

echo "== forecast model on M5: cuda vs cpu ($threads threads) ==" >&2
fcb=$build/bench/forecast/fc-bench
fcnote=
if [ ! -x "$fcb" ]; then
    fcnote="not run: fc-bench not built (the whole project did not build here)"
elif [ ! -f "$fcdata/m5_foods3_ca1/sales.csv" ]; then
    fcnote="not run: no M5 data at $fcdata (bench/gpu.sh --data DIR)"
else
    for d in cuda cpu; do
        mkdir -p "$out/forecast-$d"
        "$fcb" --data "$fcdata" --out "$out/forecast-$d" --m5-only --device $d --threads "$threads" \
            >"$out/forecast-$d/last.txt" 2>"$out/forecast-$d/summary.txt" || fail=1
        tail -3 "$out/forecast-$d/summary.txt" >&2
    done
fi

{
    echo
    printf '%-8s %16s %16s %16s %16s\n' n rt_fp32_tflops cublas_fp32 rt_tf32_tflops cublas_tf32
    for n in 512 1024 2048 4096 8192; do
        a=$(sed -n "s/^sgemm n=$n runtime_tflops=\([0-9.]*\).*/\1/p" "$out/rt-sgemm.txt")
        b=$(sed -n "s/^cublas n=$n tf32=0 tflops=\([0-9.]*\).*/\1/p" "$out/cublas.txt")
        c=$(sed -n "s/^sgemm_tf32 n=$n runtime_tflops=\([0-9.]*\).*/\1/p" "$out/rt-sgemm.txt")
        d=$(sed -n "s/^cublas n=$n tf32=1 tflops=\([0-9.]*\).*/\1/p" "$out/cublas.txt")
        printf '%-8s %16s %16s %16s %16s\n' "$n" "${a:-NA}" "${b:-NA}" "${c:-NA}" "${d:-NA}"
    done
    echo
    printf '%-8s %16s %16s %10s\n' model cuda_samples_s cpu_samples_s speedup
    for m in mlp tcn gru; do
        g=$(sed -n "s/.*model=$m samples_s=\([0-9.]*\).*/\1/p" "$out/train-cuda.txt")
        c=$(sed -n "s/.*model=$m samples_s=\([0-9.]*\).*/\1/p" "$out/train-cpu.txt")
        s=NA; [ -n "$g" ] && [ -n "$c" ] && s=$(awk -v a="$g" -v b="$c" 'BEGIN { printf "%.2f", a / b }')
        printf '%-8s %16s %16s %10s\n' $m "${g:-NA}" "${c:-NA}" "$s"
    done
    echo
    if [ -n "$fcnote" ]; then
        echo "forecast model: $fcnote"
    else
        printf '%-8s %16s %16s %10s %12s %12s\n' forecast cuda_samples_s cpu_samples_s speedup \
            rmsse_cuda rmsse_cpu
        fsps() { sed -n 's/.*model training .* \([0-9]*\) samples\/s.*/\1/p' "$out/forecast-$1/summary.txt"; }
        frm() { awk '$1 == "model" && $2 ~ /^[0-9.]+$/ { print $2 }' "$out/forecast-$1/summary.txt"; }
        g=$(fsps cuda); c=$(fsps cpu)
        s=NA; [ -n "$g" ] && [ -n "$c" ] && s=$(awk -v a="$g" -v b="$c" 'BEGIN { printf "%.2f", a / b }')
        printf '%-8s %16s %16s %10s %12s %12s\n' m5 "${g:-NA}" "${c:-NA}" "$s" "$(frm cuda)" "$(frm cpu)"
    fi
    echo "tests: $([ $trc -eq 0 ] && echo pass || echo FAIL/not run) (log: $out/tests.txt)"
    echo "memcheck: $san (log: $out/memcheck.txt)"
} | tee "$out/summary.txt"
exit $fail
