#!/bin/sh
# make-quantize.sh: the goldens of tests/unit/test_quantize.c, made with
# llama.cpp's own quantizer (../shared/ref, llama-ref --quantize).
#
# For each case, tests/golden/quantize/MODEL-TYPE[-pure].txt holds a header
# line, the type of every tensor of llama.cpp's output (in its order) and a
# SHA-256 over all tensor names, types and data. rmse.txt holds llama.cpp's
# relative RMSE per K type (--pure, synthetic model).
# Models: "synth" and "synth-tied" (no output.weight), written by
# test_quantize --write-model (exact arithmetic: the same on every machine),
# and ../shared/models/stories260K.gguf (rows of 64 and 172 values: the
# fallbacks). Run from the repository root: sh tests/golden/make-quantize.sh
set -eu
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}/bin/llama-ref
MODELS=${MODELS:-../shared/models}
[ -x "$REF" ] || { echo "make-quantize.sh: $REF missing: run bash ../shared/ref/setup.sh" >&2; exit 1; }
make -s build/tests/test_quantize
TQ=build/tests/test_quantize
OUT=tests/golden/quantize
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
$TQ --write-model "$T/synth.gguf"
$TQ --write-model "$T/synth-tied.gguf" tied
cp "$MODELS/stories260K.gguf" "$T/stories260K.gguf"

# one case: MODEL TYPE [--pure | OUTPUT_TYPE EMBD_TYPE]
gold() {
    m=$1 ty=$2 pure=0 suf= extra= hdr=
    if [ "${3:-}" = --pure ]; then pure=1 suf=-pure extra=--pure
    elif [ -n "${3:-}" ]; then
        suf=-out_$3-embd_$4 extra="--output-type $3 --embd-type $4" hdr=" out=$3 embd=$4"
    fi
    nice "$REF" --quantize "$T/$m.gguf" "$T/out.gguf" "$ty" -t 2 $extra >/dev/null 2>&1
    { echo "# model=$m type=$ty pure=$pure$hdr (llama.cpp $(cat "${LLM_REF_HOME:-$HOME/.cache/llm-ref}/include/SOURCE_COMMIT" 2>/dev/null | cut -c1-12))"
      $TQ --hash "$T/out.gguf"; } > "$OUT/$m-$ty$suf.txt"
}
for ty in Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16 BF16 Q2_K Q3_K_S Q4_K_S Q5_K_S Q6_K; do gold synth $ty --pure; done
for ty in Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16; do gold synth $ty; done
for ty in Q2_K Q3_K_M Q4_K_M Q5_K_M Q6_K Q8_0; do gold synth-tied $ty; done
gold synth Q4_K_M f16 q8_0
gold synth-tied Q4_K_M q5_0 q8_0
gold synth-tied Q3_K_M q4_K f32
for ty in Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16; do gold stories260K $ty --pure; done
for ty in Q2_K Q3_K_M Q4_K_S Q4_K_M Q5_K_M Q6_K Q8_0; do gold stories260K $ty; done

echo "# llama.cpp's relative RMSE (sqrt(sum err^2 / sum x^2)) per K type, --pure, synth" > "$OUT/rmse.txt"
for c in Q2_K:q2_K Q3_K_S:q3_K Q4_K_S:q4_K Q5_K_S:q5_K Q6_K:q6_K; do
    nice "$REF" --quantize "$T/synth.gguf" "$T/out.gguf" "${c%%:*}" -t 2 --pure >/dev/null 2>&1
    echo "${c%%:*} $($TQ --rmse "$T/synth.gguf" "$T/out.gguf" "${c#*:}")" >> "$OUT/rmse.txt"
done
# Whole files: sha256 of llama.cpp's output for a few mixes of the synthetic
# model (tests/t_quantize.sh wants llm-quantize's file to be the same bytes).
for ty in Q4_K_M Q3_K_M Q2_K Q6_K Q5_0 Q8_0 F16; do
    nice "$REF" --quantize "$T/synth.gguf" "$T/out.gguf" "$ty" -t 2 >/dev/null 2>&1
    echo "synth $ty $(sha256sum < "$T/out.gguf" | cut -c1-64)"
done > "$OUT/files.txt"

# Logits of llama.cpp on quantized and converted models, for
# tests/t_quantize_logits.sh (llm-infer on the same files): per position the
# argmax, the RMS of all logits and the first 32 logits.
#   synth-TYPE: llama.cpp's own quantization of the synthetic model
#   st-ARCH: a safetensors folder (test_quantize_st --write) converted by our llm-quantize
make -s build/bin/llm-quantize build/tests/test_quantize_st
rm -rf "$OUT/logits"
mkdir -p "$OUT/logits"
IDS="1 15 200 33 7 99 150 42"
logits() {   # NAME MODEL.gguf HEADER
    nice "$REF" -m "$2" --logits-all "$IDS" --dump-logits "$T/l.f32" > "$T/argmax" 2>/dev/null
    n=$(wc -c < "$T/l.f32"); v=$((n / 4 / 8))
    { echo "# $3 ids=$IDS (llama.cpp logits)"
      od -An -v -f -w$((4 * v)) "$T/l.f32" | awk -v am="$(cat "$T/argmax")" '
        BEGIN { split(am, a, " ") }
        { ss = 0; for (i = 1; i <= NF; i++) ss += $i * $i
          printf "pos %d argmax %d rms %.6g", NR - 1, a[NR], sqrt(ss / NF)
          for (i = 1; i <= 32 && i <= NF; i++) printf " %.6g", $i
          printf "\n" }'; } > "$OUT/logits/$1.txt"
}
for ty in Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 F16; do
    nice "$REF" --quantize "$T/synth.gguf" "$T/q.gguf" "$ty" -t 2 >/dev/null 2>&1
    logits "synth-$ty" "$T/q.gguf" "model=synth type=$ty"
done
for arch in llama qwen2; do
    build/tests/test_quantize_st --write "$T/st-$arch" $arch
    build/bin/llm-quantize -q --from safetensors "$T/st-$arch" "$T/st.gguf"
    logits "st-$arch" "$T/st.gguf" "model=st-$arch type=-"
    build/bin/llm-quantize -q --from safetensors "$T/st-$arch" "$T/st.gguf" Q8_0
    logits "st-$arch-Q8_0" "$T/st.gguf" "model=st-$arch type=Q8_0"
done
ls "$OUT" "$OUT/logits" | wc -l
