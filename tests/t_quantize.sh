# t_quantize.sh: llm-quantize from the command line: llama2.c conversion
# equal to llama.cpp's converter, quantized output llama.cpp would write,
# the report, overrides, and bad input (usage, same file, truncated input,
# unwritable output, interruption) leaving no partial file behind.
. "$TOP/tests/lib.sh"
Q="$BIN/llm-quantize"
M="$MODELS"

# no_leftovers NAME DIR: no temporary file of a write is left in DIR
no_leftovers() {
    if ls "$2" | grep -q '\.tmp\.'; then fail "$1" "left $(ls "$2" | grep '\.tmp\.' | head -1)"; else ok "$1"; fi
}

check "help" "$Q" --help
same "version" "$("$Q" --version)" "llm-quantize (llm-tools) $("$Q" --version | sed 's/.* //')"
expect_err "no arguments" 2 'usage' "$Q"
expect_err "unknown type lists the valid ones" 2 "unknown type 'Q9_X'.*Q4_K_M.*Q8_0" "$Q" "$T/a.gguf" "$T/b.gguf" Q9_X
expect_err "bad --tensor-type" 2 'REGEX=TYPE' "$Q" --tensor-type nothing "$T/a.gguf" "$T/b.gguf" Q4_0
expect_err "bad --tensor-type type" 2 "unknown tensor type 'q7'" "$Q" --tensor-type 'attn=q7' "$T/a.gguf" "$T/b.gguf" Q4_0
expect_err "bad --from" 2 "unknown format 'onnx'" "$Q" --from onnx a b
expect_err "missing input" 1 'nothing.gguf' "$Q" "$T/nothing.gguf" "$T/b.gguf" Q4_0

if ! have_models; then
    skip "models" "$MODELS/stories260K.gguf not found (../shared/models missing)"
    exit 0
fi

# ---- llama2.c: the same file as llama.cpp's convert-llama2c-to-ggml ----
"$Q" --from llama2c --ctx 2048 "$M/stories260K.bin" "$M/tok512.bin" "$T/l2c.gguf" 2>"$T/err"
if cmp -s "$T/l2c.gguf" "$M/stories260K.gguf"; then ok "llama2c: byte-identical to stories260K.gguf"
else fail "llama2c: byte-identical to stories260K.gguf" "$(cmp "$T/l2c.gguf" "$M/stories260K.gguf" 2>&1; cat "$T/err")"; fi
same "llama2c: quiet" "$(cat "$T/err")" ""
"$Q" --from llama2c "$M/stories260K.bin" "$M/tok512.bin" "$T/l2c512.gguf"
same "llama2c: context length is the checkpoint's seq_len" \
    "$(cmp -l "$T/l2c512.gguf" "$M/stories260K.gguf" | wc -l | tr -d ' ')" 1
"$Q" -q --from llama2c --ctx 2048 "$M/stories260K.bin" "$M/tok512.bin" "$T/l2c-q8.gguf" Q8_0
"$Q" -q "$M/stories260K.gguf" "$T/q8.gguf" Q8_0
if cmp -s "$T/l2c-q8.gguf" "$T/q8.gguf"; then ok "llama2c + Q8_0 = stories260K.gguf quantized"
else fail "llama2c + Q8_0 = stories260K.gguf quantized" "files differ"; fi

# the greedy continuation of the converted model is llama2.c's
if [ -x "$BIN/llm-infer" ]; then
    got=$(printf '1\n' | "$BIN/llm-infer" -m "$T/l2c512.gguf" -n 256 --temp 0 --ignore-eos -t 1 2>/dev/null |
          grep -v '^#' | cut -f1 | tr '\n' ' ' | sed 's/ *$//')
    same "llama2c: greedy 256 tokens = llama2.c's" "$got" "$(cat "$M/stories260K.greedy256.ids")"
else
    skip "llama2c: greedy 256 tokens" "llm-infer not built"
fi

# A version-1 ("ak42") checkpoint made from the legacy one by moving byte
# ranges: header, then rms_att, rms_ffn, rms_final, tok_embeddings, wq..w3.
# stories260K: dim 64, hidden 172, 5 layers, kv_dim 32, vocab 512, seq 512.
d=64 h=172 L=5 kv=32 V=512
o_emb=28 o_att=$((28 + 4*V*d)); o_wq=$((o_att + 4*L*d)); o_wk=$((o_wq + 4*L*d*d)); o_wv=$((o_wk + 4*L*d*kv))
o_wo=$((o_wv + 4*L*d*kv)); o_ffn=$((o_wo + 4*L*d*d)); o_w1=$((o_ffn + 4*L*d)); o_w2=$((o_w1 + 4*L*h*d))
o_w3=$((o_w2 + 4*L*h*d)); o_fin=$((o_w3 + 4*L*h*d))
part() { dd if="$M/stories260K.bin" bs=4 skip=$(($1 / 4)) count=$(($2 / 4)) 2>/dev/null; }
{ printf '\062\064\153\141\001\000\000\000'; part 0 28; printf '\001'
  head -c $((256 - 37)) /dev/zero
  part $o_att $((4*L*d)); part $o_ffn $((4*L*d)); part $o_fin $((4*d)); part $o_emb $((4*V*d))
  part $o_wq $((4*L*d*d)); part $o_wk $((4*L*d*kv)); part $o_wv $((4*L*d*kv)); part $o_wo $((4*L*d*d))
  part $o_w1 $((4*L*h*d)); part $o_w2 $((4*L*h*d)); part $o_w3 $((4*L*h*d)); } > "$T/v1.bin"
"$Q" --from llama2c --ctx 2048 "$T/v1.bin" "$M/tok512.bin" "$T/v1.gguf" 2>"$T/err"
if cmp -s "$T/v1.gguf" "$M/stories260K.gguf"; then ok "llama2c version 1 checkpoint"
else fail "llama2c version 1 checkpoint" "$(cat "$T/err")"; fi

head -c 500000 "$M/stories260K.bin" > "$T/trunc.bin"
expect_err "llama2c: truncated checkpoint" 1 'trunc.bin: truncated' \
    "$Q" --from llama2c "$T/trunc.bin" "$M/tok512.bin" "$T/t1.gguf"
head -c 3000 "$M/tok512.bin" > "$T/trunc-tok.bin"
expect_err "llama2c: truncated tokenizer" 1 'trunc-tok.bin: offset [0-9]+: .*(truncated|past the end)' \
    "$Q" --from llama2c "$M/stories260K.bin" "$T/trunc-tok.bin" "$T/t2.gguf"
expect_err "llama2c: missing tokenizer" 1 'nope.bin: No such file' \
    "$Q" --from llama2c "$M/stories260K.bin" "$T/nope.bin" "$T/t3.gguf"
expect_err "llama2c: not a checkpoint" 1 'implausible header' \
    "$Q" --from llama2c "$M/tok512.bin" "$M/tok512.bin" "$T/t4.gguf"
same "llama2c: no partial outputs" "$(ls "$T" | grep -c '^t[0-9]')" 0

# ---- quantizing ----
"$Q" "$M/stories260K.gguf" "$T/q4km.gguf" Q4_K_M >"$T/out" 2>"$T/err"
same "Q4_K_M: nothing on stdout" "$(cat "$T/out")" ""
if grep -q 'blk.0.ffn_down.weight: rows of 172 values do not fit q4_K blocks of 256: using f16' "$T/err" &&
   grep -q '36 of 48 tensors fell back' "$T/err"; then ok "Q4_K_M: fallbacks are announced"
else fail "Q4_K_M: fallbacks are announced" "$(head -c 300 "$T/err")"; fi
"$Q" -q "$M/stories260K.gguf" "$T/q4km-q.gguf" Q4_K_M 2>"$T/err"
same "-q: no warnings" "$(cat "$T/err")" ""

# progress only on a terminal (script(1) gives it one)
if command -v script >/dev/null 2>&1; then
    script -qc "'$Q' -q '$M/stories260K.gguf' '$T/tty.gguf' Q8_0" /dev/null > "$T/tty" 2>&1
    if grep -q '\[48/48\] blk.4.ffn_up.weight' "$T/tty" && grep -q 'MB/s of input' "$T/tty"; then ok "progress on a terminal"
    else fail "progress on a terminal" "$(head -c 200 "$T/tty")"; fi
else
    skip "progress on a terminal" "script(1) not installed"
fi

"$Q" -q --report "$M/stories260K.gguf" "$T/r.gguf" Q8_0 >"$T/report"
if grep -q '^blk.0.attn_q.weight  *f32  *q8_0  *4096  *0\.00[0-9]*  *0\.0[0-9]*$' "$T/report" &&
   grep -q '^blk.0.attn_norm.weight  *f32  *f32  *64  *-  *-$' "$T/report" &&
   grep -q '^q8_0  *32 ' "$T/report" && grep -q '^total  *48 ' "$T/report"; then ok "report: per tensor and per type"
else fail "report: per tensor and per type" "$(head -c 400 "$T/report")"; fi

"$Q" "$T/q8.gguf" "$T/q4.gguf" Q4_0 2>"$T/err"
if grep -q "requantizing" "$T/err" && [ -s "$T/q4.gguf" ]; then ok "requantizing warns and works"
else fail "requantizing warns and works" "$(head -c 300 "$T/err")"; fi

"$Q" -q --report --tensor-type 'attn_(q|k)=q8_0' --tensor-type 'output=f16' \
    "$M/stories260K.gguf" "$T/tt.gguf" Q4_0 >"$T/report"
if grep -q '^blk.3.attn_q.weight .* q8_0 ' "$T/report" && grep -q '^blk.3.attn_v.weight .* q4_0 ' "$T/report" &&
   grep -q '^output.weight .* f16 ' "$T/report" && grep -q '^output_norm.weight .* f32 ' "$T/report"; then
    ok "--tensor-type overrides, first match wins"
else fail "--tensor-type overrides, first match wins" "$(grep -E 'attn_q|attn_v|output' "$T/report" | head -5)"; fi

printf 'ATTN_Q=q8_0\n  ^output\\.weight=f16\n' > "$T/tt.txt"
"$Q" -q --report --tensor-type-file "$T/tt.txt" "$M/stories260K.gguf" "$T/tt.gguf" Q4_0 >"$T/report"
if grep -q '^blk.3.attn_q.weight .* q8_0 ' "$T/report" && grep -q '^output.weight .* f16 ' "$T/report" &&
   grep -q '^blk.3.attn_output.weight .* q4_0 ' "$T/report"; then ok "--tensor-type-file, patterns lowercased"
else fail "--tensor-type-file, patterns lowercased" "$(grep -E 'attn_q|output' "$T/report" | head -4)"; fi

# ---- the output is never the input, and nothing partial is left ----
cp "$M/stories260K.gguf" "$T/in.gguf"
expect_err "refuses OUT = IN" 1 'refusing to overwrite' "$Q" "$T/in.gguf" "$T/in.gguf" Q4_0
ln -s in.gguf "$T/link.gguf"
expect_err "refuses OUT = IN through a link" 1 'refusing to overwrite' "$Q" "$T/in.gguf" "$T/link.gguf" Q4_0
if cmp -s "$T/in.gguf" "$M/stories260K.gguf"; then ok "input untouched"; else fail "input untouched" "changed"; fi
expect_err "llama2c: refuses OUT = MODEL" 1 'refusing to overwrite' \
    "$Q" --from llama2c "$T/in.gguf" "$M/tok512.bin" "$T/in.gguf"

head -c 700000 "$M/stories260K.gguf" > "$T/trunc.gguf"
expect_err "truncated GGUF" 1 'trunc.gguf' "$Q" "$T/trunc.gguf" "$T/o1.gguf" Q4_0
[ -e "$T/o1.gguf" ] && fail "truncated GGUF: no output" "o1.gguf exists" || ok "truncated GGUF: no output"
expect_err "output is a device" 1 'not a regular file' "$Q" "$M/stories260K.gguf" /dev/full Q4_0
expect_err "output folder missing" 1 'nodir/o.gguf: cannot create' "$Q" "$M/stories260K.gguf" "$T/nodir/o.gguf" Q4_0
# a disk that fills up: a file size limit of 100 KiB (the write fails with EFBIG)
mkdir "$T/full"
(ulimit -f 100; exec "$Q" -q "$M/stories260K.gguf" "$T/full/o.gguf" F32) >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'o.gguf: write error: File too large' "$T/err"; then ok "full disk: clear error"
else fail "full disk: clear error" "exit $rc: $(head -c 200 "$T/err")"; fi
same "full disk: nothing left" "$(ls "$T/full")" ""
no_leftovers "no temporary files left" "$T"

# Whole files equal llama-quantize's (tests/golden/quantize/files.txt: the
# sha256 of llama.cpp's output for the synthetic model, whose last tensor
# needs no padding).
if [ -x "$TBIN/test_quantize" ] && "$TBIN/test_quantize" --write-model "$T/synth.gguf"; then
    while read -r model ty sum; do
        "$Q" -q -t 2 "$T/$model.gguf" "$T/f.gguf" "$ty"
        same "$model $ty: the file llama-quantize writes" "$(sha256sum < "$T/f.gguf" | cut -c1-64)" "$sum"
    done < "$TOP/tests/golden/quantize/files.txt"
    rm -f "$T/f.gguf"
fi

# An interrupted run removes its temporary file (whether or not the signal
# comes before the end: either the finished file or nothing is there).
if [ -s "$T/synth.gguf" ]; then
    mkdir "$T/sig"
    "$Q" -q -t 1 "$T/synth.gguf" "$T/sig/o.gguf" Q2_K 2>/dev/null &
    pid=$!
    sleep 0.2
    kill -TERM "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    rc=$?
    no_leftovers "SIGTERM: no temporary file" "$T/sig"
    # the signal may come after the rename: then the file must be whole
    if [ -e "$T/sig/o.gguf" ]; then
        "$Q" -q -t 1 "$T/synth.gguf" "$T/whole.gguf" Q2_K
        if cmp -s "$T/sig/o.gguf" "$T/whole.gguf"; then ok "SIGTERM: no partial output"
        else fail "SIGTERM: no partial output" "o.gguf is partial (rc $rc)"; fi
    else
        ok "SIGTERM: no partial output"
    fi
else
    skip "SIGTERM" "$TBIN/test_quantize not built"
fi

# ---- vocabulary-only files pass llama.cpp's tokenizer vectors ----
# vectors NAME VOCAB.gguf VECTORS: every input of VECTORS.inp tokenizes (no
# BOS) to the ids on the same line of VECTORS.out
vectors() {
    n=$1 v=$2 base=$3
    if [ ! -x "$BIN/llm-tokenize" ]; then skip "$n" "llm-tokenize not built"; return; fi
    rm -rf "$T/vt"; mkdir "$T/vt"
    awk -v d="$T/vt" 'BEGIN { RS = "\n__ggml_vocab_test__\n" }
        { f = sprintf("%s/%03d.txt", d, NR); printf "%s", $0 > f; close(f) }' "$base.inp"
    i=0 bad=
    for f in "$T"/vt/*.txt; do
        i=$((i + 1))
        got=$("$BIN/llm-tokenize" -m "$v" --ids --no-bos -f "$f" | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
        want=$(sed -n "${i}p" "$base.out" | sed 's/^ *//; s/ *$//')
        [ "$got" = "$want" ] || { bad="input $i: got '$got' want '$want'"; break; }
    done
    if [ -z "$bad" ] && [ "$i" -eq "$(wc -l < "$base.out")" ]; then ok "$n"; else fail "$n" "${bad:-$i inputs}"; fi
}
if [ -f "$M/qwen3-tokenizer.json" ]; then
    "$Q" --from vocab "$M/qwen3-tokenizer.json" "$T/qwen-vocab.gguf" &&
        vectors "vocab from qwen3-tokenizer.json: qwen2 vectors" "$T/qwen-vocab.gguf" "$M/ggml-vocab-qwen2.gguf"
fi
if [ -f "$M/llama2-tokenizer.model" ]; then
    mkdir "$T/spm" && cp "$M/llama2-tokenizer.model" "$T/spm/tokenizer.model"
    "$Q" --from vocab "$T/spm" "$T/spm-vocab.gguf" &&
        vectors "vocab from tokenizer.model: llama-spm vectors" "$T/spm-vocab.gguf" "$M/ggml-vocab-llama-spm.gguf"
fi
mkdir "$T/empty"
expect_err "vocab: missing tokenizer files" 1 'tokenizer.json: missing' "$Q" --from vocab "$T/empty" "$T/v.gguf"
if [ -x "$TBIN/test_quantize_st" ] && "$TBIN/test_quantize_st" --write "$T/st" qwen2; then
    cp "$T/st/model.safetensors" "$T/st.copy"
    expect_err "safetensors: refuses OUT = an input file" 1 'refusing to overwrite' \
        "$Q" --from safetensors "$T/st" "$T/st/model.safetensors"
    if cmp -s "$T/st/model.safetensors" "$T/st.copy"; then ok "safetensors: input untouched"; else fail "safetensors: input untouched" "changed"; fi
fi
