#!/bin/sh
# make-tok.sh: writes the tokenizer goldens tests/golden/tok/<vocab>.<doc>.ids: llama.cpp's token ids
# (llama_tokenize, add_special=false, parse_special=false: no BOS) for every document of every corpus
# file tests/corpus/*.txt and tests/corpus/invalid-utf8.bin, for the vocabs llama-spm and gpt-2
# (../shared/models/ggml-vocab-<vocab>.gguf). The split rule is in tok/README and ref_tok.c.
#
#   sh tests/golden/make-tok.sh          # from anywhere; CHECK=0 skips the cross-checks (step 4)
#
# Reference: $LLM_REF (the install folder, or the llama-ref wrapper in its bin/), else $LLM_REF_HOME,
# else ~/.cache/llm-ref (installed by ../shared/ref/setup.sh). MODELS defaults to ../shared/models.
# llama-ref --tokenize cannot load vocab-only GGUFs (it wants the weights), so step 1 builds
# ref_tok.c, which calls the same libllama with vocab_only=true; step 4 confirms that it agrees with
# llama-ref --tokenize (on llama-2-tiny-random.gguf, which carries the same Llama 2 SPM vocab) and
# with node-llama-cpp's own tokenize (vocabOnly) for both vocabs.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF:-${LLM_REF_HOME:-$HOME/.cache/llm-ref}}
[ -f "$REF" ] && REF=$(cd "$(dirname "$(readlink -f "$REF")")/.." && pwd)
MODELS=${MODELS:-$TOP/../shared/models}
CHECK=${CHECK:-1}
BIN=$REF/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
OUT=$TOP/tests/golden/tok
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
die() { echo "make-tok.sh: $*" >&2; exit 1; }
[ -x "$REF/bin/llama-ref" ] || die "no reference in $REF (run: bash ../shared/ref/setup.sh)"

# 1. the vocab-only tokenizer harness, against the reference's own libraries
LL=$(cd "$BIN" && ls libllama.v*.so libllama.so 2>/dev/null | head -n 1)
LG=$(cd "$BIN" && ls libggml.v*.so libggml.so 2>/dev/null | head -n 1)
${CC:-cc} -O2 -Wall -Wextra -std=c11 -I"$REF/include" -DREF_BACKEND_DIR="\"$BIN\"" -o "$T/ref_tok" \
    "$TOP/tests/golden/ref_tok.c" -L"$BIN" -l:"$LL" -l:"$LG" -l:libggml-base.so -Wl,-rpath,"$BIN"

# 2. the harness must reproduce llama.cpp's own test-tokenizer-0 vectors
SEP='
__ggml_vocab_test__
'
for v in llama-spm gpt-2; do
    "$T/ref_tok" -m "$MODELS/ggml-vocab-$v.gguf" --sep "$SEP" "$MODELS/ggml-vocab-$v.gguf.inp" | sed '$d' > "$T/vec"
    sed 's/^ //' "$MODELS/ggml-vocab-$v.gguf.out" | cmp -s - "$T/vec" || die "$v: ref_tok differs from $v.gguf.out"
done
echo "make-tok.sh: ref_tok reproduces ggml-vocab-{llama-spm,gpt-2}.gguf.out" >&2

# 3. the goldens
mkdir -p "$OUT"
for f in "$TOP"/tests/corpus/*.txt "$TOP"/tests/corpus/invalid-utf8.bin; do
    doc=$(basename "$f"); doc=${doc%.*}
    for v in llama-spm gpt-2; do
        "$T/ref_tok" -m "$MODELS/ggml-vocab-$v.gguf" "$f" > "$OUT/.$v.$doc.ids.tmp"
        mv "$OUT/.$v.$doc.ids.tmp" "$OUT/$v.$doc.ids"
    done
    echo "make-tok.sh: $doc: $(wc -l < "$OUT/llama-spm.$doc.ids") documents" >&2
done
[ "$CHECK" = 1 ] || exit 0

# 4a. llama-ref --tokenize, one call per document (argv; no document has a NUL byte), SPM vocab
n=0
for f in "$TOP"/tests/corpus/*.txt "$TOP"/tests/corpus/invalid-utf8.bin; do
    doc=$(basename "$f"); doc=${doc%.*}
    "$T/ref_tok" -m "$MODELS/ggml-vocab-llama-spm.gguf" --offsets "$f" > "$T/offs"
    : > "$T/got"
    while read -r s l; do
        text=$(tail -c +$((s + 1)) "$f" | head -c "$l"; echo x)   # keeps trailing newlines
        "$REF/bin/llama-ref" -m "$MODELS/llama-2-tiny-random.gguf" --tokenize "${text%x}" 2>/dev/null >> "$T/got"
        n=$((n + 1))
    done < "$T/offs"
    cmp -s "$T/got" "$OUT/llama-spm.$doc.ids" || die "llama-ref --tokenize differs on $doc"
done
echo "make-tok.sh: llama-ref --tokenize (llama-2-tiny-random.gguf) agrees on all $n llama-spm documents" >&2

# 4b. node-llama-cpp tokenize with vocabOnly, both vocabs (valid UTF-8 files only: JS strings)
cat > "$T/check.mjs" <<'EOF'
import fs from "node:fs";
const {getLlama, LlamaLogLevel} = await import(process.env.REF + "/node_modules/node-llama-cpp/dist/index.js");
const [model, file, offs] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, logLevel: LlamaLogLevel.disabled});
const m = await llama.loadModel({modelPath: model, vocabOnly: true, gpuLayers: 0});
const buf = fs.readFileSync(file);
for (const line of fs.readFileSync(offs, "utf8").trim().split("\n")) {
    const [s, l] = line.split(" ").map(Number);
    console.log(Array.from(m.tokenize(buf.subarray(s, s + l).toString("utf8"), false)).join(" "));
}
EOF
for f in "$TOP"/tests/corpus/*.txt; do
    doc=$(basename "$f" .txt)
    "$T/ref_tok" -m "$MODELS/ggml-vocab-gpt-2.gguf" --offsets "$f" > "$T/offs"
    for v in llama-spm gpt-2; do
        REF=$REF node "$T/check.mjs" "$MODELS/ggml-vocab-$v.gguf" "$f" "$T/offs" 2>/dev/null > "$T/got"
        cmp -s "$T/got" "$OUT/$v.$doc.ids" || die "node-llama-cpp tokenize differs on $v.$doc"
    done
done
echo "make-tok.sh: node-llama-cpp (vocabOnly) agrees on every .txt document, both vocabs" >&2
