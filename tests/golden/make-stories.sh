#!/bin/sh
# make-stories.sh: writes the stories260K goldens in tests/golden/stories260K/ with llama.cpp
# (llama-ref, ../shared/ref): prompt tokenization, greedy continuations, raw logits, perplexity.
# See tests/golden/README.md for what each file is.
#
#   sh tests/golden/make-stories.sh
#
# Reference: $LLM_REF (the install folder, or the llama-ref wrapper in its bin/), else $LLM_REF_HOME,
# else ~/.cache/llm-ref. MODELS defaults to ../shared/models. Single-threaded (-t 1) so that the
# results do not depend on how the work is split between threads.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF:-${LLM_REF_HOME:-$HOME/.cache/llm-ref}}
[ -f "$REF" ] && REF=$(cd "$(dirname "$(readlink -f "$REF")")/.." && pwd)
MODELS=${MODELS:-$TOP/../shared/models}
M=$MODELS/stories260K.gguf
OUT=$TOP/tests/golden/stories260K
LR="$REF/bin/llama-ref"
die() { echo "make-stories.sh: $*" >&2; exit 1; }
[ -x "$LR" ] || die "no reference in $REF (run: bash ../shared/ref/setup.sh)"
[ -f "$M" ] || die "$M not found"
mkdir -p "$OUT"
# put FILE: stdin to FILE through a temp file in the same folder
put() { cat > "$OUT/.$1.tmp" && mv "$OUT/.$1.tmp" "$OUT/$1"; }
detok() { LLM_REF_HOME=$REF node "$TOP/../shared/ref/ref_bench.mjs" --model "$M" --detokenize "$1" 2>/dev/null; }

# 1. prompts: llama-ref --tokenize --bos on the model itself; 2. greedy continuation of 64 tokens
#    (EOS does not stop it), one token per decode; its text (prompt + continuation, detokenized by
#    node-llama-cpp) for humans.
for p in "once:Once upon a time" "tom:Tom and Lily went" "cat:The cat" "lily:One day, a little girl named Lily"; do
    name=${p%%:*} text=${p#*:}
    ids=$("$LR" -m "$M" --tokenize "$text" --bos 2>/dev/null)
    echo "$ids" | put "greedy-$name.prompt.ids"
    gen=$("$LR" -m "$M" -t 1 --greedy-ids "$ids" -n 64 2>/dev/null)
    [ "$(echo "$gen" | wc -w)" = 64 ] || die "greedy $name: expected 64 ids, got '$gen'"
    echo "$gen" | put "greedy-$name.ids"
    detok "$ids $gen" | put "greedy-$name.txt"
done
# logits along the greedy path of "once": 64 x 512 float32; row k is the distribution that chose
# generated id k (row 0: at the last prompt position; row k: after feeding generated id k-1)
"$LR" -m "$M" -t 1 --greedy-ids "$(cat "$OUT/greedy-once.prompt.ids")" -n 64 \
    --dump-logits "$OUT/.greedy-once.logits.f32.tmp" > "$OUT/.greedy-once.check.tmp" 2>/dev/null
cmp -s "$OUT/.greedy-once.check.tmp" "$OUT/greedy-once.ids" || die "greedy once is not reproducible"
rm -f "$OUT/.greedy-once.check.tmp"
mv "$OUT/.greedy-once.logits.f32.tmp" "$OUT/greedy-once.logits.f32"

# 3. raw logits at every prompt position, one batched decode: n_ids x 512 float32, position-major;
#    .argmax = llama-ref's stdout (the argmax id per position)
for name in once lily; do
    ids=$(cat "$OUT/greedy-$name.prompt.ids")
    echo "$ids" | put "logits-$name.ids"
    "$LR" -m "$M" -t 1 --logits-all "$ids" --dump-logits "$OUT/.logits-$name.f32.tmp" 2>/dev/null | put "logits-$name.argmax"
    mv "$OUT/.logits-$name.f32.tmp" "$OUT/logits-$name.f32"
done

# 4. perplexity (ctx 512 chunks, each from an empty cache, every token after the first scored)
#    greedy256: BOS + ../shared/models/stories260K.greedy256.ids (llama2.c's greedy output)
(echo 1; cat "$MODELS/stories260K.greedy256.ids") | tr -s ' \n' '  ' | sed 's/ $//' | put ppl-greedy256.ids
#    en: paragraphs 5 to 7 (awk's blank-line-separated records) of tests/corpus/en.txt, from the GPL-3
#    preamble, joined by one blank line, no final newline; tokenized with BOS by the stories260K
#    vocab (more than 512 ids, so two chunks)
awk 'BEGIN { RS = "" } NR >= 5 && NR <= 7 { printf "%s%s", (NR > 5 ? "\n\n" : ""), $0 }' "$TOP/tests/corpus/en.txt" \
    | put ppl-en.input.txt
"$LR" -m "$M" --tokenize "$(cat "$OUT/ppl-en.input.txt")" --bos 2>/dev/null | put ppl-en.ids
for name in greedy256 en; do
    "$LR" -m "$M" -t 1 --perplexity "$OUT/ppl-$name.ids" --dump-nll "$OUT/.ppl-$name.nll.tmp" 2>/dev/null \
        | sed 's/ ([0-9.]* s)$//' | put "ppl-$name.txt"
    mv "$OUT/.ppl-$name.nll.tmp" "$OUT/ppl-$name.nll"
done
ls -l "$OUT" >&2
