#!/bin/sh
# make-tok-special.sh: goldens for special tokens and BOS: llama.cpp's ids
# (ref_tok.c, i.e. llama_tokenize) for the documents of tok/special.inp
# (hand-written cases, then 300 random mixes of text and special-token
# texts, made here with a fixed seed), separated as llama.cpp's own .inp
# files by "\n__ggml_vocab_test__\n", for the llama-spm and gpt-2
# vocabularies, in two modes:
#   tok/special.<vocab>.special.out   add_special=true,  parse_special=true
#   tok/special.<vocab>.text.out      add_special=true,  parse_special=false
# One line per document. Checked by tests/unit/test_tokenizer_special.c.
#
#   sh tests/golden/make-tok-special.sh
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}
MODELS=${MODELS:-$TOP/../shared/models}
BIN=$REF/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
OUT=$TOP/tests/golden/tok
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -d "$BIN" ] || { echo "make-tok-special.sh: no reference in $REF" >&2; exit 1; }
LL=$(cd "$BIN" && ls libllama.v*.so libllama.so 2>/dev/null | head -n 1)
LG=$(cd "$BIN" && ls libggml.v*.so libggml.so 2>/dev/null | head -n 1)
${CC:-cc} -O2 -std=c11 -I"$REF/include" -DREF_BACKEND_DIR="\"$BIN\"" -o "$T/ref_tok" \
    "$TOP/tests/golden/ref_tok.c" -L"$BIN" -l:"$LL" -l:"$LG" -l:libggml-base.so -Wl,-rpath,"$BIN"

python3 - "$OUT/special.inp" <<'PY'
import random, sys
docs = [
    "<s>Hello</s> world<unk>x", " <s> Hi", "<s>", "<s><s>", "</s> ", "a<s>b", "<|endoftext|>The end",
    " <|endoftext|> spaced ", "<|endoftext|><|endoftext|>", "text <0x0A> literal", "<s>\n</s>\n",
    "Hello", " Hello", "", " ", "<", "<s", "s>", "</s", "<|endoftext|", "|endoftext|>", "<unk><unk>",
    "\u2581<s>\u2581", "caf\u00e9<s>\U0001f999", "<s> <s>  <s>", "x</s>y</s>z",
]
pieces = ["<s>", "</s>", "<unk>", "<|endoftext|>", " ", "  ", "\n", "Hello", "world", " the", "'s",
          "123", "\u00e9", "\U0001f999", "<", ">", "|", "s", "endoftext", "\u2581", "\t", ".", "x"]
rng = random.Random(20261125)
for _ in range(300):
    docs.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    for d in docs:
        f.write(d + "\n__ggml_vocab_test__\n")
PY
SEP='
__ggml_vocab_test__
'
for v in llama-spm gpt-2; do
    "$T/ref_tok" -m "$MODELS/ggml-vocab-$v.gguf" --bos --special --sep "$SEP" "$OUT/special.inp" | sed '$d' > "$OUT/special.$v.special.out"
    "$T/ref_tok" -m "$MODELS/ggml-vocab-$v.gguf" --bos --sep "$SEP" "$OUT/special.inp" | sed '$d' > "$OUT/special.$v.text.out"
done
echo "make-tok-special.sh: $(wc -l < "$OUT/special.llama-spm.text.out") documents" >&2
