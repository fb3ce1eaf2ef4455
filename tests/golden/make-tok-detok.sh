#!/bin/sh
# make-tok-detok.sh: decoding goldens: llama.cpp's llama_detokenize
# (ref_detok.c) on
#   corpus   the ids of every corpus document (tok/<vocab>.<doc>.ids)
#   special  the ids of tok/special.<vocab>.special.out (BOS, EOS, controls)
#   random   tok/detok-random.<vocab>.ids: 300 random sequences over the
#            whole vocabulary (bytes, unknown, control ...), made here
# for the llama-spm and gpt-2 vocabularies, in the modes
#   plain (remove_special=0, unparse_special=0), special (0, 1), remove (1, 0)
# (corpus: plain only). Written as tok/detok.tsv:
#   VOCAB TAB SOURCE TAB MODE TAB LINE TAB LENGTH TAB FNV64-of-the-text
# Checked by tests/unit/test_tokenizer_detok.c.
#
#   sh tests/golden/make-tok-detok.sh
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}
MODELS=${MODELS:-$TOP/../shared/models}
BIN=$REF/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
G=$TOP/tests/golden/tok
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -d "$BIN" ] || { echo "make-tok-detok.sh: no reference in $REF" >&2; exit 1; }
LL=$(cd "$BIN" && ls libllama.v*.so libllama.so 2>/dev/null | head -n 1)
LG=$(cd "$BIN" && ls libggml.v*.so libggml.so 2>/dev/null | head -n 1)
${CC:-cc} -O2 -std=gnu11 -I"$REF/include" -DREF_BACKEND_DIR="\"$BIN\"" -o "$T/ref_detok" \
    "$TOP/tests/golden/ref_detok.c" -L"$BIN" -l:"$LL" -l:"$LG" -l:libggml-base.so -Wl,-rpath,"$BIN"

for v in llama-spm gpt-2; do
    python3 - "$v" "$G/detok-random.$v.ids" <<'PY'
import random, sys
vocab, out = sys.argv[1:]
n = 32000 if vocab == "llama-spm" else 50257
rng = random.Random(7 if vocab == "llama-spm" else 8)
with open(out, "w") as f:
    for _ in range(300):
        # mostly small ids (bytes and controls at the start of the vocab)
        ids = [rng.randrange(300) if rng.random() < 0.4 else rng.randrange(n) for _ in range(rng.randint(1, 40))]
        f.write(" ".join(map(str, ids)) + "\n")
PY
done
: > "$T/detok.tsv"
emit() {   # emit VOCAB SOURCE MODE FILE FLAGS...
    v=$1 src=$2 mode=$3 file=$4; shift 4
    "$T/ref_detok" -m "$MODELS/ggml-vocab-$v.gguf" "$@" "$file" \
        | awk -v v="$v" -v s="$src" -v m="$mode" '{ printf "%s\t%s\t%s\t%d\t%s\t%s\n", v, s, m, NR - 1, $1, $2 }' >> "$T/detok.tsv"
}
for v in llama-spm gpt-2; do
    for f in "$G"/$v.*.ids; do
        doc=$(basename "$f" .ids); doc=${doc#$v.}
        emit $v "corpus:$doc" plain "$f"
    done
    for src in special random; do
        case $src in special) f=$G/special.$v.special.out ;; random) f=$G/detok-random.$v.ids ;; esac
        emit $v $src plain "$f"
        emit $v $src special "$f" --unparse-special
        emit $v $src remove "$f" --remove-special
    done
done
mv "$T/detok.tsv" "$G/detok.tsv"
echo "make-tok-detok.sh: $(wc -l < "$G/detok.tsv") sequences" >&2
