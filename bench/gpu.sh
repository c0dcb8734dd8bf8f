#!/usr/bin/env bash
# bench/gpu.sh: everything GPU in one go, for a session that has the GPU machine.
# The programs come from one of:
#   --kit FILE  a kit made beforehand by bench/gpu-kit on any machine with the CUDA toolkit:
#               prebuilt release binaries, the CUDA module with and without cuDNN, the shared
#               libraries they need and the M5 data. Nothing is compiled on the GPU machine
#               (which reaches no package registry and bills every minute): the way to use it.
#   (default)   a build here with -Dcuda=enabled (the whole project; or, when libyaml, GLPK...
#               are missing, the runtime, its tests and benchmark alone, by hand).
# Then, each step capped by the time left of --budget seconds (default 540, inside the device's
# 10-minute call):
#   1. the runtime tests in full (the GPU tests run instead of skipping), and the cuda-vs-cpu
#      backend tests once more with softmax on our own kernels (SCO_CUDA_NO_CUDNN=1);
#   2. sgemm TFLOP/s through the runtime vs cuBLAS's own figure, FP32 and TF32;
#   3. training throughput (MLP, TCN, GRU) on cuda vs the CPU backend, and the speedup;
#   4. the forecast plugin's global model trained on the M5 rolling windows (fc-bench) on cuda
#      and on the CPU: training samples/s, the speedup, and the model's RMSSE on both (they
#      should agree to a few 1e-3: float sums in another order, same seed);
#   5. compute-sanitizer memcheck of the cuda backend tests, with the time that is left.
# Prints a table at the end; raw outputs go to bench/out/gpu/<timestamp>/, and, when $OUT is
# set (the device tool), summary.txt and all of it as gpu-out.tgz to $OUT.
# usage: bench/gpu.sh [--kit FILE] [--threads N] [--data DIR] [--budget SECONDS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
threads=$(nproc)
fcdata=$root/../shared/data/forecast
kitfile=
budget=540
while [ $# -gt 0 ]; do
    case $1 in
    --kit) kitfile=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --data) fcdata=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    *) echo "usage: bench/gpu.sh [--kit FILE] [--threads N] [--data DIR] [--budget SECONDS]" >&2
       exit 64 ;;
    esac
done
t_end=$((SECONDS + budget))
export PATH=/usr/local/cuda/bin:$PATH
out=$root/bench/out/gpu/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
fail=0

# step CAP NAME CMD...: runs CMD with at most CAP seconds, and never past the budget
step() {
    local cap=$1 name=$2 left=$((t_end - SECONDS))
    shift 2
    [ "$left" -lt "$cap" ] && cap=$left
    if [ "$cap" -lt 5 ]; then
        echo "gpu.sh: $name skipped: the time budget is spent" >&2
        return 124
    fi
    timeout "$cap" "$@"
}

echo "== device ==" >&2
nvidia-smi -L 2>&1 | tee "$out/device.txt" >&2 || echo "nvidia-smi unavailable" >&2

dnn=
if [ -n "$kitfile" ]; then
    echo "== kit $kitfile ==" >&2
    kroot=$(mktemp -d)
    tar -C "$kroot" -xJf "$kitfile" || { echo "gpu.sh: cannot unpack $kitfile" >&2; exit 66; }
    kit=$kroot/gpu-kit
    cat "$kit/BUILD.txt" >&2
    libs=$kit/lib:/usr/local/cuda/lib64
    # CUDA's libraries from the toolkit's folder, else from Python wheels (nvidia-cudnn,
    # nvidia-cublas, nvidia-cuda-runtime) where the machine has them
    for m in cudnn cublas cuda_runtime; do
        d=$(python3 -c "import os, nvidia.$m as m; print(os.path.join(list(m.__path__)[0], 'lib'))" 2>/dev/null)
        [ -n "$d" ] && [ -d "$d" ] && libs=$libs:$d
    done
    export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    if ldd "$kit/backend/sco-backend-cuda.so" | grep -q "not found"; then
        ldd "$kit/backend/sco-backend-cuda.so" | grep "not found" >&2
        echo "gpu.sh: the module with cuDNN cannot load here; using the one without" >&2
        export SCO_BACKEND_PATH=$kit/backend-nodnn
        dnn="no (not installed here)"
    else
        export SCO_BACKEND_PATH=$kit/backend
        dnn=yes
    fi
    export SCO_TEST_BACKEND_DIR=$SCO_BACKEND_PATH SCO_TEST_TMPDIR=$out
    bin=$kit/bin/bench-runtime
    fcb=$kit/bin/fc-bench
    cublas=$kit/bin/cublas-sgemm
    [ -f "$fcdata/m5_foods3_ca1/sales.csv" ] || fcdata=$kit/data/forecast
    tests=()
    for t in grad backend train params runtime; do
        tests+=("$kit/bin/test-runtime-$t")
    done
    tb=$kit/bin/test-runtime-backend
else
    echo "== build (-Dcuda=enabled) ==" >&2
    build=$root/build-gpu
    if { [ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release -Dcuda=enabled \
            >"$out/setup.txt" 2>&1; } && ninja -C "$build" >"$out/build.txt" 2>&1; then
        [ -f "$build/src/runtime/cuda/sco-backend-cuda.so" ] ||
            { echo "gpu.sh: CUDA module not built" >&2; exit 1; }
        grep -q "Library cudnn found: YES" "$build/meson-logs/meson-log.txt" && dnn=yes || dnn=no
        bin=$build/bench/runtime/bench-runtime
        fcb=$build/bench/forecast/fc-bench
        tests=()
        for t in grad backend train params runtime; do
            tests+=("$build/tests/runtime/test-runtime-$t")
        done
        tb=$build/tests/runtime/test-runtime-backend
    else
        # The whole project needs libyaml, GLPK ...; a GPU box may lack them. Build just the
        # runtime, its CUDA module, the benchmark and (with Criterion) the runtime tests.
        echo "gpu.sh: meson build failed (see $out/setup.txt, $out/build.txt); building the runtime alone" >&2
        build=$root/build-gpu-min
        mkdir -p "$build/cuda" "$build/tests"
        blas=()
        pkg-config --exists openblas 2>/dev/null &&
            blas=(-DSCO_HAVE_BLAS=1 $(pkg-config --cflags --libs openblas))
        dnnflags=(-DSCO_HAVE_CUDNN=0)
        dnn=no
        if [ -f /usr/local/cuda/include/cudnn.h ] && ls /usr/local/cuda/lib64/libcudnn.so >/dev/null 2>&1; then
            dnnflags=(-DSCO_HAVE_CUDNN=1 -lcudnn)
            dnn=yes
        fi
        cflags=(-O3 -std=c11 -D_GNU_SOURCE -fno-trapping-math -I"$root/include" -I"$root/src/runtime"
                "-DSCO_BACKEND_BUILDDIR=\"$build/cuda\"")
        srcs=("$root"/src/runtime/{runtime,graph,exec,params,optim,pool}.c "$root/src/runtime/cpu/cpu-backend.c")
        nvcc -O2 -std=c++17 -shared -Xcompiler -fPIC -I"$root/include" -I"$root/src/runtime" \
            -gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=sm_80 \
            -o "$build/cuda/sco-backend-cuda.so" "$root/src/runtime/cuda/cuda-backend.cu" \
            "${dnnflags[@]}" -lcublas -lcudart || { echo "gpu.sh: nvcc failed" >&2; exit 1; }
        bin=$build/bench-runtime
        cc "${cflags[@]}" "${srcs[@]}" "$root/bench/runtime/bench-runtime.c" -o "$bin" \
            "${blas[@]}" -lm -ldl -lpthread || { echo "gpu.sh: cc failed" >&2; exit 1; }
        fcb=
        tests=()
        if [ -f /usr/include/criterion/criterion.h ]; then
            for t in grad backend train params runtime; do
                cc "${cflags[@]}" "-DTEST_BACKEND_DIR=\"$build/cuda\"" "-DTEST_TMPDIR=\"$build/tests\"" \
                    "${srcs[@]}" "$root/tests/runtime/cases.c" "$root/tests/runtime/test-$t.c" \
                    -o "$build/tests/test-runtime-$t" "${blas[@]}" -lcriterion -lm -ldl -lpthread &&
                    tests+=("$build/tests/test-runtime-$t") || fail=1
            done
        fi
        tb=$build/tests/test-runtime-backend
    fi
    cublas=$out/cublas-sgemm
    nvcc -O2 -o "$cublas" "$root/bench/runtime/cublas-sgemm.cu" -lcublas 2>&1 >&2
fi

echo "== runtime tests (GPU tests in full) ==" >&2
trc=1
if [ ${#tests[@]} -gt 0 ] && [ -x "${tests[0]}" ]; then
    trc=0
    for t in "${tests[@]}"; do
        echo "== $t" >>"$out/tests.txt"
        step 180 "test $(basename "$t")" "$t" --verbose >>"$out/tests.txt" 2>&1 || trc=1
    done
    if [ "$dnn" = yes ]; then
        echo "== $tb, softmax on our own kernels (SCO_CUDA_NO_CUDNN=1)" >>"$out/tests.txt"
        SCO_CUDA_NO_CUDNN=1 step 120 "backend test without cuDNN" "$tb" --verbose \
            --filter 'backend/cuda*' >>"$out/tests.txt" 2>&1 || trc=1
    fi
    grep -E "Synthesis|SKIP|skipped|FAIL" "$out/tests.txt" >&2
else
    echo "gpu.sh: runtime tests not built (no Criterion here: use --kit)" >&2
fi
[ $trc -eq 0 ] || fail=1

echo "== cuBLAS reference ==" >&2
: >"$out/cublas.txt"
if [ -x "$cublas" ]; then
    step 60 "cublas-sgemm" "$cublas" >>"$out/cublas.txt" 2>&1
    step 60 "cublas-sgemm tf32" "$cublas" tf32 >>"$out/cublas.txt" 2>&1
fi
cat "$out/cublas.txt" >&2

echo "== runtime sgemm on cuda (fp32, then tf32) ==" >&2
step 90 "sgemm" "$bin" --device cuda --only sgemm >"$out/rt-sgemm.txt" 2>&1 || fail=1
SCO_ALLOW_TF32=1 step 90 "sgemm tf32" "$bin" --device cuda --only sgemm 2>&1 |
    sed 's/^sgemm /sgemm_tf32 /' >>"$out/rt-sgemm.txt" || fail=1
cat "$out/rt-sgemm.txt" >&2

echo "== training: cuda vs cpu ($threads threads) ==" >&2
step 120 "training on cuda" "$bin" --device cuda --only train --epochs 5 >"$out/train-cuda.txt" 2>&1 || fail=1
step 120 "training on cpu" "$bin" --device cpu --threads "$threads" --only train --epochs 5 \
    >"$out/train-cpu.txt" 2>&1 || fail=1
cat "$out/train-cuda.txt" "$out/train-cpu.txt" >&2

echo "== forecast model on M5: cuda vs cpu ($threads threads) ==" >&2
fcnote=
if [ -z "$fcb" ] || [ ! -x "$fcb" ]; then
    fcnote="not run: fc-bench not built (the whole project did not build here: use --kit)"
elif [ ! -f "$fcdata/m5_foods3_ca1/sales.csv" ]; then
    fcnote="not run: no M5 data at $fcdata (bench/gpu.sh --data DIR)"
else
    for d in cuda cpu; do
        mkdir -p "$out/forecast-$d"
        step 150 "forecast on $d" "$fcb" --data "$fcdata" --out "$out/forecast-$d" --m5-only \
            --device $d --threads "$threads" >"$out/forecast-$d/last.txt" \
            2>"$out/forecast-$d/summary.txt" || fail=1
        tail -3 "$out/forecast-$d/summary.txt" >&2
    done
fi

echo "== compute-sanitizer memcheck of the cuda tests ==" >&2
san=skipped
if command -v compute-sanitizer >/dev/null && [ -x "$tb" ]; then
    step 150 "memcheck" compute-sanitizer --tool memcheck --target-processes all \
        --error-exitcode 9 "$tb" --filter 'backend/cuda*' --jobs 1 >"$out/memcheck.txt" 2>&1
    case $? in
    0) san=clean ;;
    124) san="not finished within the time budget" ;;
    *) san=FAIL; fail=1 ;;
    esac
    tail -5 "$out/memcheck.txt" >&2
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
    ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo NA; }
    printf '%-8s %16s %16s %10s\n' model cuda_samples_s cpu_samples_s speedup
    for m in mlp tcn gru; do
        g=$(sed -n "s/.*model=$m samples_s=\([0-9.]*\).*/\1/p" "$out/train-cuda.txt")
        c=$(sed -n "s/.*model=$m samples_s=\([0-9.]*\).*/\1/p" "$out/train-cpu.txt")
        printf '%-8s %16s %16s %10s\n' $m "${g:-NA}" "${c:-NA}" "$(ratio "$g" "$c")"
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
        printf '%-8s %16s %16s %10s %12s %12s\n' m5 "${g:-NA}" "${c:-NA}" "$(ratio "$g" "$c")" \
            "$(frm cuda)" "$(frm cpu)"
    fi
    echo "cuDNN: ${dnn:-unknown}"
    echo "tests: $([ $trc -eq 0 ] && echo pass || echo FAIL/not run) (log: $out/tests.txt)"
    echo "memcheck: $san (log: $out/memcheck.txt)"
    echo "seconds: $((SECONDS)) of a budget of $budget"
} | tee "$out/summary.txt"
if [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ]; then
    cp "$out/summary.txt" "$OUT/summary.txt"
    tar -C "$out" -czf "$OUT/gpu-out.tgz" .
fi
exit $fail
