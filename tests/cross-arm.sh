#!/bin/sh
# tests/cross-arm.sh: build the suite for aarch64 (Raspberry Pi 4/5) with the
# cross compiler into build-arm/ and run the unit tests under qemu-aarch64,
# once as a Cortex-A72 (Pi 4: plain NEON kernels) and once as qemu's "max"
# CPU (has dotprod: the SDOT kernels). Prints the lines of tests/run.sh
# ("NAME: N passed, N failed, N skipped", FAIL/skip lines indented) and ends
# with "N passed, N failed, N skipped"; exits non-zero on a failure.
# Without the tools it prints one skip line and exits 0.
#
# Needs (Debian): gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# Run from anywhere:  sh tests/cross-arm.sh
# Environment: ARM_CPUS (default "cortex-a72 max"), CROSS_CLEAN=1 rebuilds
# build-arm from scratch (so every file's warnings are seen), ARM_ALL=1 also
# runs the slow tests skipped below.
# Not named t_*.sh: tests/run.sh must not pick it up (it builds and takes
# minutes); .ci/run calls it.
cd "$(dirname "$0")/.." || exit 1
CC_ARM=${CC_ARM:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-aarch64}
SYSROOT=${SYSROOT:-/usr/aarch64-linux-gnu}
CPUS=${ARM_CPUS:-cortex-a72 max}

if ! command -v "$CC_ARM" >/dev/null 2>&1 || ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "skip cross-arm: needs $CC_ARM and $QEMU (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)"
    exit 0
fi

export MODELS="${MODELS:-$PWD/../shared/models}"
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/llm-cross-arm.XXXXXX") || exit 1
trap 'rm -rf "$TMPROOT"' EXIT INT TERM
pass=0 fail=0 skip=0

# Build: every warning of what was compiled counts as a failure, as on x86.
[ "${CROSS_CLEAN:-0}" = 1 ] && rm -rf build-arm
echo "cross-arm: $("$CC_ARM" --version | head -n 1); $("$QEMU" --version | head -n 1)"
if make -j2 CC="$CC_ARM" BUILD=build-arm units all >"$TMPROOT/build.log" 2>&1; then
    nwarn=$(grep -c 'warning:' "$TMPROOT/build.log")
    if [ "$nwarn" -eq 0 ]; then
        echo "cross-arm build: 1 passed, 0 failed, 0 skipped"
        pass=$((pass + 1))
    else
        echo "  cross-arm build: FAIL $nwarn warnings"
        grep 'warning:' "$TMPROOT/build.log" | head -n 10 | sed 's/^/    /'
        echo "cross-arm build: 0 passed, 1 failed, 0 skipped"
        fail=$((fail + 1))
    fi
else
    echo "  cross-arm build: FAIL make failed"
    grep -E 'error|warning' "$TMPROOT/build.log" | head -n 15 | sed 's/^/    /'
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

# Why a test does not run here (empty: it runs).
why_skip() {
    [ "${ARM_ALL:-0}" = 1 ] && return
    case "$1" in
    # 25 s natively on x86 (quantizes whole models); many minutes under qemu
    test_quantize) echo "slow under qemu (ARM_ALL=1 runs it)" ;;
    # ggml's golden dequantizations were hashed on x86, whose default NaN
    # has the sign bit set; AArch64's has it clear. Every other bit matches.
    test_quant_golden) echo "golden hashes carry x86's NaN sign bit (ARM_ALL=1 runs it)" ;;
    esac
}

# Same counting as tests/run.sh's run_one.
run_one() {
    name=$1; shift
    out="$TMPROOT/out"
    "$@" >"$out" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^skip ' "$out")
    grep -E '^(FAIL|skip) ' "$out" | sed "s|^|  $name: |"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "  $name: FAIL exited with status $rc"; tail -n 15 "$out" | sed 's/^/    /'
        f=1
    elif [ "$f" -ne 0 ]; then
        grep -v -E '^(ok|FAIL|skip) ' "$out" | tail -n 15 | sed 's/^/    /'
    fi
    echo "$name: $p passed, $f failed, $s skipped"
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

# The programs end to end: greedy tokens of stories260K in several weight
# types are the same with the NEON kernels (1 and 2 threads) as with the
# portable C ones (LLM_NO_SIMD=1), as on x86. Uses $BIN and $cpu.
greedy() {
    m=$MODELS/stories260K.gguf
    if [ ! -f "$m" ]; then echo "skip greedy tokens: no $m"; return; fi
    echo "Once upon a time" | "$BIN/llm-tokenize" -m "$m" >"$TMPROOT/prompt" || { echo "FAIL tokenize"; return; }
    for ty in f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_K q3_K q4_K q5_K q6_K; do
        f=$TMPROOT/s-$ty.gguf
        [ -f "$f" ] || "$BIN/llm-quantize" "$m" "$f" "$ty" >/dev/null 2>&1 || { echo "FAIL $ty: llm-quantize failed"; continue; }
        if ! ref=$(LLM_NO_SIMD=1 "$BIN/llm-infer" -m "$f" -n 32 --ignore-eos --temp 0 -t 1 <"$TMPROOT/prompt" 2>"$TMPROOT/err") ||
            [ "$(printf '%s\n' "$ref" | wc -l)" -lt 20 ]; then
            echo "FAIL $ty: portable llm-infer: $(head -c 200 "$TMPROOT/err")"; continue
        fi
        for th in 1 2; do
            got=$("$BIN/llm-infer" -m "$f" -n 32 --ignore-eos --temp 0 -t $th <"$TMPROOT/prompt" 2>"$TMPROOT/err")
            if [ "$got" = "$ref" ]; then echo "ok $ty -t $th: NEON greedy tokens = portable"
            else echo "FAIL $ty -t $th: NEON greedy tokens = portable: got '$(echo $got | head -c 200)' want '$(echo $ref | head -c 200)'"; fi
        done
    done
}

for cpu in $CPUS; do
    # BIN for the tests that run programs (test_model_ref runs mkmodel):
    # wrappers that run the aarch64 build under qemu as the same CPU
    BIN="$TMPROOT/bin-$cpu"
    mkdir -p "$BIN"
    for p in build-arm/bin/*; do
        [ -x "$p" ] || continue
        printf '#!/bin/sh\nexec "%s" -cpu "%s" -L "%s" "%s" "$@"\n' "$QEMU" "$cpu" "$SYSROOT" "$PWD/$p" >"$BIN/${p##*/}"
        chmod +x "$BIN/${p##*/}"
    done
    export BIN
    for t in build-arm/tests/test_*; do
        [ -x "$t" ] || continue
        base=$(basename "$t")
        why=$(why_skip "$base")
        if [ -n "$why" ]; then
            echo "  $base@$cpu: skip $why"
            echo "$base@$cpu: 0 passed, 0 failed, 1 skipped"
            skip=$((skip + 1))
            continue
        fi
        run_one "$base@$cpu" timeout 900 "$QEMU" -cpu "$cpu" -L "$SYSROOT" "$t"
    done
    run_one "greedy@$cpu" greedy
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
