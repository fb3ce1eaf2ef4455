#!/bin/sh
# make bench: llm-infer against llama.cpp (../shared/ref, llama-ref) on the
# same machine, in the same run, on generated TinyLlama-shaped (1.1B) models.
# Prints a markdown table: tok/s of each, the ratio, and the fraction of the
# bandwidth ceiling (bandwidth / weight bytes read per token).
#
# Environment: THREADS (2), P (128 prompt tokens), N (64 generated), R (3
# rounds, median; each round runs ours then llama.cpp once), TYPES ("q4_0 q8_0 q4_k_m f16"), BENCH_7B=1 adds a 7B Q4_0
# model (3.8 GB, needs ~5 GB of disk), BENCHDIR (build/bench), LLAMA_REF.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$top/build}/bin
D=${BENCHDIR:-$top/build/bench}
THREADS=${THREADS:-2} P=${P:-128} N=${N:-64} R=${R:-3}
TYPES=${TYPES:-"q4_0 q8_0 q4_k_m f16"}
REF=${LLAMA_REF:-$HOME/.cache/llm-ref/bin/llama-ref}
mkdir -p "$D"
# the Llama 2 vocabulary (32000 tokens) when the shared models are there
V=$top/../shared/models/ggml-vocab-llama-spm.gguf
VOCAB=; [ -f "$V" ] && VOCAB="--vocab-from $V"
say() { echo "$*" >&2; }
[ -x "$REF" ] || say "bench: llama.cpp reference not found at $REF (bash ../shared/ref/setup.sh installs it); its columns stay empty"

# models: generated once, kept in $D
model() {   # model TYPE [SHAPE] -> path
    t=$1 shape=${2:-tinyllama}
    f=$D/$shape-$t.gguf
    if [ ! -s "$f" ]; then
        case $t in
        q4_k_m)
            [ -s "$D/$shape-f16.gguf" ] || nice "$B/mkmodel" -s "$shape" -T f16 -t "$THREADS" $VOCAB "$D/$shape-f16.gguf"
            nice "$B/llm-quantize" "$D/$shape-f16.gguf" "$f" Q4_K_M >/dev/null ;;
        *) nice "$B/mkmodel" -s "$shape" -T "$t" -t "$THREADS" $VOCAB "$f" ;;
        esac
    fi
    echo "$f"
}

bw=$("$B/membw" "$THREADS" 1024 | sed -n 's/.*membw_gbps=\([0-9.]*\).*/\1/p')
say "bench: memory bandwidth $bw GB/s with $THREADS threads"

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "") printf "%.2f", a / b; else printf "-" }'; }
# bytes of weights read per generated token: all tensors but token_embd
# (one row of it is read per token)
wbytes() {
    "$B/llm-inspect" --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(t["bytes"] for t in d["tensors"] if t["name"] != "token_embd.weight"))'
}

echo "| model | ours pp tok/s | llama.cpp pp | pp ratio | ours tg tok/s | llama.cpp tg | tg ratio | ours % of ceiling | llama.cpp % of ceiling |"
echo "|---|---|---|---|---|---|---|---|---|"
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
# ours and llama.cpp alternate, one run each per round, so that a slow
# spell of the shared machine falls on both sides alike; medians of R rounds
run_one() {
    f=$1 label=$2
    opps= otgs= rpps= rtgs=
    i=0
    while [ "$i" -lt "$R" ]; do
        i=$((i + 1))
        s=$("$B/llm-infer" -m "$f" --bench -p "$P" -n "$N" -r 1 -t "$THREADS" 2>&1 | grep '^#llm-stats' | tail -1)
        opps="$opps $(field "$s" pp_tps)" otgs="$otgs $(field "$s" tg_tps)"
        if [ -x "$REF" ]; then
            r=$("$REF" -m "$f" -t "$THREADS" -p "$P" -n "$N" -r 1 2>/dev/null | grep '^median' || true)
            rpps="$rpps $(echo "$r" | sed -n 's/.*pp \([0-9.]*\) tok\/s.*/\1/p')"
            rtgs="$rtgs $(echo "$r" | sed -n 's/.*tg \([0-9.]*\) tok\/s.*/\1/p')"
        fi
    done
    opp=$(echo "$opps" | median) otg=$(echo "$otgs" | median)
    rpp=$(echo "$rpps" | median) rtg=$(echo "$rtgs" | median)
    wb=$(wbytes "$f")
    ceil=$(awk -v bw="$bw" -v wb="$wb" 'BEGIN { printf "%.2f", bw * 1e9 / wb }')
    oc=$(awk -v t="$otg" -v c="$ceil" 'BEGIN { if (t != "") printf "%.0f%%", 100 * t / c; else printf "-" }')
    rc=$(awk -v t="$rtg" -v c="$ceil" 'BEGIN { if (t != "") printf "%.0f%%", 100 * t / c; else printf "-" }')
    echo "| $label | ${opp:--} | ${rpp:--} | $(ratio "$opp" "$rpp") | ${otg:--} | ${rtg:--} | $(ratio "$otg" "$rtg") | $oc | $rc |"
}
for t in $TYPES; do
    run_one "$(model "$t")" "TinyLlama-1.1B-shaped $t"
done
[ "${BENCH_7B:-0}" = 1 ] && run_one "$(model q4_0 7b)" "7B-shaped q4_0"
echo
echo "threads $THREADS, prompt $P, generated $N, median of $R alternating rounds; bandwidth $bw GB/s; $(date -u +%Y-%m-%d); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
