#!/bin/sh
# make bench: llm-quantize against llama.cpp's quantizer (../shared/ref,
# llama-ref --quantize) on a generated TinyLlama-shaped (1.1B) F16 model, in
# the same run: seconds and MB/s of input for each TYPE, the ratio, and
# whether the two outputs hold the same tensor bytes.
#
# Environment: THREADS (2), TYPES ("Q4_K_M"), BENCHDIR (build/bench),
# LLAMA_REF. The model (2.2 GB) is generated once and kept in BENCHDIR.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$top/build}/bin
TB=${BUILD:-$top/build}/tests
D=${BENCHDIR:-$top/build/bench}
THREADS=${THREADS:-2}
TYPES=${TYPES:-Q4_K_M}
REF=${LLAMA_REF:-$HOME/.cache/llm-ref/bin/llama-ref}
mkdir -p "$D"
say() { echo "$*" >&2; }
V=$top/../shared/models/ggml-vocab-llama-spm.gguf
VOCAB=; [ -f "$V" ] && VOCAB="--vocab-from $V"
M=$D/tinyllama-f16.gguf
if [ ! -s "$M" ]; then
    say "bench: generating $M (TinyLlama shape, F16)"
    "$B/mkmodel" -s tinyllama -T f16 $VOCAB -t "$THREADS" "$M"
fi
size=$(wc -c < "$M")
now() { date +%s.%N; }
echo "| type | llm-quantize s | MB/s | llama.cpp s | MB/s | ratio | same bytes |"
echo "|---|---|---|---|---|---|---|"
for ty in $TYPES; do
    t0=$(now); "$B/llm-quantize" -q -t "$THREADS" "$M" "$D/q-ours.gguf" "$ty"; t1=$(now)
    ours=$(echo "$t1 - $t0" | bc -l)
    ref=- refmb=- ratio=- same=-
    if [ -x "$REF" ]; then
        t0=$(now); "$REF" --quantize "$M" "$D/q-ref.gguf" "$ty" -t "$THREADS" >/dev/null 2>&1; t1=$(now)
        ref=$(echo "$t1 - $t0" | bc -l)
        refmb=$(printf '%.1f' "$(echo "$size / 1000000 / $ref" | bc -l)")
        ratio=$(printf '%.2f' "$(echo "$ref / $ours" | bc -l)")
        if [ -x "$TB/test_quantize" ]; then
            a=$("$TB/test_quantize" --hash "$D/q-ours.gguf" | tail -1)
            b=$("$TB/test_quantize" --hash "$D/q-ref.gguf" | tail -1)
            [ "$a" = "$b" ] && same=yes || same=no
        fi
        rm -f "$D/q-ref.gguf"
    fi
    printf '| %s | %.2f | %.1f | %s | %s | %s | %s |\n' "$ty" "$ours" "$(echo "$size / 1000000 / $ours" | bc -l)" \
        "$(printf '%.2f' "$ref" 2>/dev/null || echo -)" "$refmb" "$ratio" "$same"
    rm -f "$D/q-ours.gguf"
done
