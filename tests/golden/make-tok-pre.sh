#!/bin/sh
# make-tok-pre.sh: goldens for the BPE pre-tokenizers that have no vocabulary
# file in ../shared/models (Llama 3's llama-bpe, qwen2, default, smollm):
# llama.cpp tokenizes the corpus with the GPT-2 vocabulary GGUF whose
# tokenizer.ggml.pre is changed to each name (llama.cpp then also applies
# that type's settings, e.g. ignore_merges for llama-bpe). The ids are kept
# as one FNV-1a 64 hash per document (the full ids would be 12 MB):
#   tests/golden/tok/pre.tsv: PRE TAB DOC TAB INDEX TAB N_IDS TAB FNV64
# hashing the document's ids line as written ("1 2 3", no newline).
# Documents are split as in tok/README (make-tok.sh). Checked by
# tests/unit/test_tokenizer_pre.c, which makes the same GGUF edits.
#
#   sh tests/golden/make-tok-pre.sh
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}
MODELS=${MODELS:-$TOP/../shared/models}
BIN=$REF/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
OUT=$TOP/tests/golden/tok/pre.tsv
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
die() { echo "make-tok-pre.sh: $*" >&2; exit 1; }
[ -d "$BIN" ] || die "no reference in $REF (run: bash ../shared/ref/setup.sh)"
LL=$(cd "$BIN" && ls libllama.v*.so libllama.so 2>/dev/null | head -n 1)
LG=$(cd "$BIN" && ls libggml.v*.so libggml.so 2>/dev/null | head -n 1)
${CC:-cc} -O2 -std=c11 -I"$REF/include" -DREF_BACKEND_DIR="\"$BIN\"" -o "$T/ref_tok" \
    "$TOP/tests/golden/ref_tok.c" -L"$BIN" -l:"$LL" -l:"$LG" -l:libggml-base.so -Wl,-rpath,"$BIN"

# the GPT-2 vocabulary with another tokenizer.ggml.pre (the file ends after
# its key-values, so the string can change length in place)
setpre() {
    python3 - "$MODELS/ggml-vocab-gpt-2.gguf" "$1" "$2" <<'PY'
import struct, sys
src, pre, dst = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
d = open(src, "rb").read()
k = b"tokenizer.ggml.pre"
i = d.find(struct.pack("<Q", len(k)) + k)
assert i > 0
v = i + 8 + len(k)
assert struct.unpack_from("<I", d, v)[0] == 8
n = struct.unpack_from("<Q", d, v + 4)[0]
open(dst, "wb").write(d[:v + 4] + struct.pack("<Q", len(pre)) + pre + d[v + 12 + n:])
PY
}

: > "$T/pre.tsv"
for pre in llama-bpe qwen2 default smollm; do
    setpre "$pre" "$T/v.gguf"
    for f in "$TOP"/tests/corpus/*.txt "$TOP"/tests/corpus/invalid-utf8.bin; do
        doc=$(basename "$f"); doc=${doc%.*}
        "$T/ref_tok" -m "$T/v.gguf" "$f" > "$T/ids"
        python3 - "$pre" "$doc" "$T/ids" >> "$T/pre.tsv" <<'PY'
import sys
pre, doc, path = sys.argv[1:]
for i, line in enumerate(open(path, "rb").read().split(b"\n")[:-1]):
    h = 0xcbf29ce484222325
    for b in line:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    print("%s\t%s\t%d\t%d\t%016x" % (pre, doc, i, len(line.split()), h))
PY
    done
    echo "make-tok-pre.sh: $pre done" >&2
done
mv "$T/pre.tsv" "$OUT"
echo "make-tok-pre.sh: wrote $OUT ($(wc -l < "$OUT") documents)" >&2
