# t_determinism.sh: the same input and seed give the same tokens at 1, 2
# and 4 threads and from run to run (greedy and --temp 0.8 --seed 7, 32
# tokens), and --logits / --all-logits are bit-identical across thread
# counts: on stories260K (when present) and on generated Q4_0 and Q4_K
# models.
. "$TOP/tests/lib.sh"
I=$BIN/llm-infer
ids() { grep -v '^#' | grep . | cut -f1 | tr '\n' ' '; }

models=""
if have_models; then models="$MODELS/stories260K.gguf"; fi
for ty in q4_0 q4_k; do
    if "$BIN/mkmodel" -s tiny -T "$ty" --vocab 320 --ctx 128 --seed 3 "$T/$ty.gguf" >/dev/null 2>&1; then
        models="$models $T/$ty.gguf"
    else
        fail "mkmodel $ty" "failed"
    fi
done
have_models || skip "stories260K" "no $MODELS/stories260K.gguf"

for m in $models; do
    b=$(basename "$m" .gguf)
    # a prompt of several tokens, so the batched prompt path runs too
    "$BIN/llm-tokenize" -m "$m" "Once upon a time, there was a little" > "$T/p.tok"
    for mode in "--temp 0" "--temp 0.8 --seed 7"; do
        ref=$("$I" -m "$m" -t 1 -n 32 --ignore-eos $mode < "$T/p.tok" | ids)
        n=$(echo "$ref" | wc -w | tr -d ' ')
        same "$b $mode: 32 tokens" "$n" 32
        for t in 2 4; do
            same "$b $mode: -t $t = -t 1" "$("$I" -m "$m" -t $t -n 32 --ignore-eos $mode < "$T/p.tok" | ids)" "$ref"
        done
        same "$b $mode: run to run (-t 4)" "$("$I" -m "$m" -t 4 -n 32 --ignore-eos $mode < "$T/p.tok" | ids)" \
            "$("$I" -m "$m" -t 4 -n 32 --ignore-eos $mode < "$T/p.tok" | ids)"
    done
    for out in --logits --all-logits; do
        "$I" -m "$m" -t 1 $out --raw < "$T/p.tok" > "$T/l1"
        for t in 2 4; do
            "$I" -m "$m" -t $t $out --raw < "$T/p.tok" > "$T/l$t"
            if [ -s "$T/l1" ] && cmp -s "$T/l1" "$T/l$t"; then ok "$b $out: -t $t bit-identical to -t 1"
            else fail "$b $out: -t $t bit-identical to -t 1" "raw outputs differ ($(cmp "$T/l1" "$T/l$t" 2>&1 | head -1))"; fi
        done
    done
done
