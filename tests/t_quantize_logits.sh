# t_quantize_logits.sh: files written by llm-quantize run the same in
# llm-infer as in llama.cpp. Each golden in tests/golden/quantize/logits/
# holds llama.cpp's logits (argmax, RMS, the first 32 values per position)
# on a model quantized with TYPE (the synthetic 256-wide model: every K mix)
# or converted from a safetensors folder (llama and qwen2 shapes); this test
# makes the same file with llm-quantize and compares llm-infer's logits:
# every value within 5 % of the position's logit RMS, and the same argmax
# (or one within that tolerance of it).
. "$TOP/tests/lib.sh"
Q="$BIN/llm-quantize"
G="$TOP/tests/golden/quantize/logits"
if [ ! -x "$BIN/llm-infer" ]; then skip "logits" "llm-infer not built"; exit 0; fi
if [ ! -x "$TBIN/test_quantize" ] || [ ! -x "$TBIN/test_quantize_st" ]; then skip "logits" "unit test binaries not built"; exit 0; fi

"$TBIN/test_quantize" --write-model "$T/synth.gguf" || { fail "synth model" "not written"; exit 0; }
for g in "$G"/*.txt; do
    name=$(basename "$g" .txt)
    hdr=$(head -1 "$g")
    model=$(printf %s "$hdr" | sed 's/.*model=\([^ ]*\).*/\1/')
    type=$(printf %s "$hdr" | sed 's/.*type=\([^ ]*\).*/\1/')
    ids=$(printf %s "$hdr" | sed 's/.*ids=\([0-9 ]*\) (.*/\1/')
    [ "$type" = - ] && type=
    case $model in
    synth) "$Q" -q "$T/synth.gguf" "$T/m.gguf" $type ;;
    st-*)  rm -rf "$T/st"; "$TBIN/test_quantize_st" --write "$T/st" "${model#st-}" &&
           "$Q" -q --from safetensors "$T/st" "$T/m.gguf" $type ;;
    *) fail "$name" "unknown model $model"; continue ;;
    esac
    if [ $? -ne 0 ]; then fail "$name" "llm-quantize failed"; continue; fi
    printf '%s\n' $ids | "$BIN/llm-infer" -m "$T/m.gguf" --all-logits -t 2 > "$T/out" 2>"$T/err" ||
        { fail "$name" "llm-infer: $(head -c 200 "$T/err")"; continue; }
    # ours: the value lines of the tensor stream, one per position
    grep -v '^#' "$T/out" > "$T/ours"
    res=$(awk 'NR == FNR { if ($1 == "pos") { p = $2; am[p] = $4; rms[p] = $6; n[p] = NF - 6
                                               for (i = 7; i <= NF; i++) ref[p, i - 7] = $i }; next }
               { p = FNR - 1; tol = 0.05 * rms[p]; best = 1
                 for (i = 2; i <= NF; i++) if ($i > $best) best = i
                 for (i = 0; i < n[p]; i++) { d = $(i + 1) - ref[p, i]; if (d < 0) d = -d
                     if (d > tol) { printf "pos %d logit %d: %g vs %g\n", p, i, $(i + 1), ref[p, i]; exit } }
                 if (best - 1 != am[p] && $(best) - $(am[p] + 1) > tol) { printf "pos %d: argmax %d vs %d\n", p, best - 1, am[p]; exit }
                 seen++ }
               END { if (seen != length(am)) printf "%d positions of %d\n", seen, length(am) }' "$g" "$T/ours")
    if [ -z "$res" ]; then ok "$name: llm-infer's logits = llama.cpp's"; else fail "$name" "$res"; fi
done
