#!/bin/sh
# make bench: llm-infer on a TinyLlama-shaped (1.1B) Q4_0 model under
# `ulimit -v` = the file's size + 512 MB (the model is mapped, not copied),
# then with 128 MB less than the file (it must say that memory is short).
# Prints a markdown table: limit, status, peak resident memory, the message.
#
# Environment: THREADS (2), N (16 generated tokens), BENCHDIR (build/bench;
# the model is generated there once, as tests/bench/infer.sh does).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$top/build}/bin
D=${BENCHDIR:-$top/build/bench}
THREADS=${THREADS:-2} N=${N:-16}
mkdir -p "$D"
V=$top/../shared/models/ggml-vocab-llama-spm.gguf
VOCAB=; [ -f "$V" ] && VOCAB="--vocab-from $V"
m=$D/tinyllama-q4_0.gguf
[ -s "$m" ] || nice "$B/mkmodel" -s tinyllama -T q4_0 -t "$THREADS" $VOCAB "$m" >&2
kb=$(( $(wc -c < "$m") / 1024 ))
echo 1 > "$D/memory.tok"

echo "| model | ulimit -v | status | tokens | peak RSS | message |"
echo "|---|---|---|---|---|---|"
for v in $((kb + 512 * 1024)) $((kb - 128 * 1024)); do
    set +e
    /usr/bin/time -f '%M' -o "$D/memory.rss" sh -c "ulimit -v $v && exec \"\$@\"" sh \
        "$B/llm-infer" -m "$m" -t "$THREADS" -n "$N" --seed 1 --ignore-eos < "$D/memory.tok" > "$D/memory.out" 2> "$D/memory.err"
    rc=$?
    set -e
    toks=$(grep -v '^#' "$D/memory.out" | grep -c . || true)
    rss=$(tail -1 "$D/memory.rss" | awk '{ printf "%.0f MB", $1 / 1024 }')
    msg=$(grep -v 'Command exited' "$D/memory.err" | head -1 | tr '|' '/')
    echo "| $(basename "$m") ($((kb / 1024)) MB) | $((v / 1024)) MB | $rc | $toks | $rss | ${msg:--} |"
done
