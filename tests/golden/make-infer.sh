#!/bin/sh
# make-infer.sh: llama.cpp's logits for synthetic models of every weight type, llama and qwen2,
# written to tests/golden/infer/ (read by tests/unit/test_model_ref.c).
#
#   sh tests/golden/make-infer.sh        (after make: needs build/bin/mkmodel; ~30 s)
#
# The models are not stored: build/bin/mkmodel regenerates them bit for bit from its seed
# (shape "tiny": dim 256, 2 layers, 4 heads, 2 KV heads, ff 512, with the stories260K tokenizer,
# so vocab 512). For each ARCH-TYPE, llama-ref decodes the ids of infer/ids in one batch and
# writes the raw logits of every position: ARCH-TYPE.f32 = n_ids x 512 float32, position-major.
# Reference: $LLM_REF (install folder or its llama-ref), else $LLM_REF_HOME, else ~/.cache/llm-ref.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
REF=${LLM_REF:-${LLM_REF_HOME:-$HOME/.cache/llm-ref}}
[ -f "$REF" ] && REF=$(cd "$(dirname "$(readlink -f "$REF")")/.." && pwd)
MODELS=${MODELS:-$TOP/../shared/models}
LR="$REF/bin/llama-ref"
MK=$TOP/build/bin/mkmodel
OUT=$TOP/tests/golden/infer
die() { echo "make-infer.sh: $*" >&2; exit 1; }
[ -x "$LR" ] || die "no reference in $REF (run: bash ../shared/ref/setup.sh)"
[ -x "$MK" ] || die "$MK not built (run make)"
[ -f "$MODELS/stories260K.gguf" ] || die "$MODELS/stories260K.gguf not found"
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
IDS="1 403 407 261 378 432"
echo "$IDS" > "$OUT/.ids.tmp" && mv "$OUT/.ids.tmp" "$OUT/ids"
for arch in llama qwen2; do
    for type in f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q4_k q5_k q6_k; do
        m=$TMP/$arch-$type.gguf
        "$MK" -a "$arch" -s tiny -T "$type" --seed 1 -V "$MODELS/stories260K.gguf" "$m" >/dev/null 2>&1 \
            || die "mkmodel $arch $type failed"
        "$LR" -m "$m" -t 1 --logits-all "$IDS" --dump-logits "$OUT/.$arch-$type.f32.tmp" >/dev/null 2>&1 \
            || die "llama-ref on $arch $type failed"
        mv "$OUT/.$arch-$type.f32.tmp" "$OUT/$arch-$type.f32"
    done
done
ls -l "$OUT" >&2
