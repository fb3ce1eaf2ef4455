# t_infer.sh: llm-infer from the command line: generation against llama.cpp's
# greedy ids, perplexity to 4 significant digits, the --logits feedback loop
# through llm-sample, the modes' output, thread invariance, bad input.
. "$TOP/tests/lib.sh"
I=$BIN/llm-infer
G=$TOP/tests/golden/stories260K
if ! have_models; then skip infer "no $MODELS/stories260K.gguf"; exit 0; fi
M=$MODELS/stories260K.gguf

# ids of a token stream: column 1 of non-comment, non-empty lines, space-separated
ids() { grep -v '^#' | grep . | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }
# a golden ids file as one line
flat() { tr -s ' \n' '  ' < "$1" | sed 's/^ //; s/ $//'; }
one_per_line() { tr -s ' ' '\n' < "$1" | grep .; }

# 1. the lead's check, exactly: 256 greedy tokens from BOS = llama2.c's output
got=$(echo 1 | "$I" -m "$M" -n 256 --temp 0 --ignore-eos | ids)
same "greedy 256 from BOS = stories260K.greedy256.ids" "$got" "$(flat "$MODELS/stories260K.greedy256.ids")"

# 2. greedy continuations of llama.cpp (64 tokens, EOS ignored)
for p in once tom cat lily; do
    if [ ! -f "$G/greedy-$p.ids" ]; then skip "greedy $p" "no golden"; continue; fi
    got=$(one_per_line "$G/greedy-$p.prompt.ids" | "$I" -m "$M" -n 64 --temp 0 --ignore-eos -t 1 | ids)
    same "greedy continuation '$p' = llama.cpp" "$got" "$(flat "$G/greedy-$p.ids")"
done

# 3. perplexity: equal to llama.cpp's to 4 significant digits
for p in greedy256 en; do
    if [ ! -f "$G/ppl-$p.txt" ]; then skip "perplexity $p" "no golden"; continue; fi
    out=$(one_per_line "$G/ppl-$p.ids" | "$I" -m "$M" --perplexity)
    same "perplexity '$p': PPL to 4 digits" "$(echo "$out" | awk '{ printf "%.4g", $2 }')" \
        "$(awk '{ printf "%.4g", $2 }' "$G/ppl-$p.txt")"
    same "perplexity '$p': same counts" "$(echo "$out" | cut -d' ' -f5-)" "$(cut -d' ' -f5- "$G/ppl-$p.txt")"
done

# 4. output form: header, pieces, one line per token, empty line at the end of the segment
printf '1\n403\n\n' | "$I" -m "$M" -n 3 --temp 0 > "$T/gen"
same "generation header" "$(head -1 "$T/gen" | cut -d' ' -f1-3)" "#llm-tokens 1 vocab=512"
same "generation lines" "$(sed -n 2,5p "$T/gen" | tr '\t\n' '|;')" "407|▁upon;261|▁a;378|▁time;;"
# EOS stops generation (the EOS token is written, as llm-sample does); --ignore-eos does not
# (a random model with the stories260K vocabulary: seed 2 draws </s> within 400 tokens)
if "$BIN/mkmodel" -s tiny -T q4_k -V "$M" "$T/tiny.gguf" >/dev/null 2>&1; then
    hot="--temp 2 --top-k 0 --top-p 1 --min-p 0 --seed 2"
    last=$(echo 1 | "$I" -m "$T/tiny.gguf" -n 400 $hot | ids | awk '{ print NF, $NF }')
    n_all=$(echo 1 | "$I" -m "$T/tiny.gguf" -n 400 $hot --ignore-eos | ids | wc -w | tr -d ' ')
    check "EOS stops early (and is written), --ignore-eos does not" test "${last#* }" = 2 -a "${last% *}" -lt 400 -a "$n_all" = 400
fi
# two segments: each is computed when it ends; the context keeps the generated token
two=$(printf '1\n403\n\n407\n\n' | "$I" -m "$M" -n 1 --temp 0 | ids)
same "each segment generates, in context" "$two" "407 $(printf '1\n403\n407\n407\n' | "$I" -m "$M" -n 1 --temp 0 | ids)"

# 5. the feedback loop: llm-infer --logits | llm-sample | back: same ids as -n
rm -f "$T/fb"; mkfifo "$T/fb"
loop=$(printf '1\n403\n407\n\n' | cat - "$T/fb" | "$I" -m "$M" --logits | "$BIN/llm-sample" --temp 0 -n 20 \
    | tee "$T/fb" | ids)
direct=$(printf '1\n403\n407\n' | "$I" -m "$M" -n 20 --temp 0 | ids)
same "logits | llm-sample loop = -n" "$loop" "$direct"
# sampling with a seed is reproducible, and the same through the loop
s1=$(printf '1\n403\n' | "$I" -m "$M" -n 30 --temp 0.9 --seed 7 | ids)
s2=$(printf '1\n403\n' | "$I" -m "$M" -n 30 --temp 0.9 --seed 7 | ids)
same "seeded sampling is reproducible" "$s1" "$s2"
rm -f "$T/fb"; mkfifo "$T/fb"
s3=$(printf '1\n403\n\n' | cat - "$T/fb" | "$I" -m "$M" --logits | "$BIN/llm-sample" --temp 0.9 --seed 7 -n 30 \
    | tee "$T/fb" | ids)
same "seeded loop = seeded -n" "$s3" "$s1"

# 6. logits records: text, top, raw; all positions
printf '1\n403\n\n' | "$I" -m "$M" --logits > "$T/lg"
same "logits record header" "$(head -1 "$T/lg")" "#llm-tensor 1 name=logits dtype=f32 shape=512 pos=1 enc=text"
same "logits record values" "$(sed -n 2p "$T/lg" | wc -w | tr -d ' ')" 512
printf '1\n403\n\n' | "$I" -m "$M" --logits --top 3 > "$T/top"
same "top-3 record" "$(head -1 "$T/top"; sed -n 2p "$T/top" | cut -d' ' -f1)" \
    "$(printf '#llm-tensor 1 name=logits dtype=f32 shape=512 pos=1 enc=top k=3\n407')"
printf '1\n403\n\n' | "$I" -m "$M" --logits --raw > "$T/raw"
same "raw record size" "$(wc -c < "$T/raw" | tr -d ' ')" $(( $(head -1 "$T/raw" | wc -c) + 2048 ))
printf '1\n403\n407\n\n' | "$I" -m "$M" --all-logits > "$T/all"
same "all-logits: a record per position" "$(grep '^#llm-tensor' "$T/all" | sed 's/.*pos=\([0-9]*\).*/\1/' | tr '\n' ' ')" "0 1 2 "
# (not bit-equal: llama.cpp sums F32 products in another order when several
# rows need logits, and so do we)
printf '1\n403\n407\n\n' | "$I" -m "$M" --logits | tail -1 > "$T/last"
tail -1 "$T/all" > "$T/alllast"
rel=$(awk 'NR == FNR { for (i = 1; i <= NF; i++) a[i] = $i; next }
           { for (i = 1; i <= NF; i++) { d = a[i] - $i; if (d < 0) d = -d; if (d > md) md = d;
             v = $i < 0 ? -$i : $i; if (v > mv) mv = v } } END { print (md / mv < 1e-5) ? "close" : md / mv }' \
      "$T/alllast" "$T/last")
same "all-logits: last within 1e-5 of --logits" "$rel" close

# 7. --dump: the documented names, in order, for each position
printf '1\n403\n\n' | "$I" -m "$M" --dump 'tok_embd,blk.0.*,result_norm,logits' | grep '^#llm-tensor' \
    | sed 's/.*name=\([^ ]*\) .*pos=\([0-9]*\).*/\1@\2/' > "$T/names"
same "dump names" "$(grep '@1$' "$T/names" | sed 's/@1//' | tr '\n' ' ')" \
    "tok_embd blk.0.attn_norm blk.0.attn_q blk.0.attn_k blk.0.attn_v blk.0.kqv_out blk.0.attn_out blk.0.ffn_inp blk.0.ffn_norm blk.0.ffn_gate blk.0.ffn_up blk.0.ffn_act blk.0.ffn_out blk.0.l_out result_norm logits "
same "dump logits = --all-logits" "$(printf '1\n403\n\n' | "$I" -m "$M" --dump logits | tail -1)" \
    "$(printf '1\n403\n\n' | "$I" -m "$M" --all-logits | tail -1)"

# 8. --stats and --bench lines
echo 1 | "$I" -m "$M" -n 4 --temp 0 --stats 2> "$T/err" > /dev/null
keys=$(grep '^#llm-stats' "$T/err" | tr ' ' '\n' | sed -n 's/=.*//p' | tr '\n' ' ')
same "--stats keys" "$keys" "model threads prompt_tokens prompt_s gen_tokens gen_s pp_tps tg_tps load_s rss_bytes "
check "--stats: model, tokens" grep -q '^#llm-stats model=stories260K.gguf threads=[0-9]* prompt_tokens=1 prompt_s=[0-9.]* gen_tokens=4 ' "$T/err"
"$I" -m "$M" --bench -p 16 -n 8 > "$T/bench"
check "--bench prints one stats line" grep -q '^#llm-stats model=stories260K.gguf threads=[0-9]* prompt_tokens=16 prompt_s=[0-9.]* gen_tokens=8 gen_s=[0-9.]* pp_tps=[0-9.]* tg_tps=[0-9.]* load_s=[0-9.]* rss_bytes=[0-9]*$' "$T/bench"

# 9. thread invariance on a model big enough to split (mkmodel tiny, Q4_K)
if "$BIN/mkmodel" -s tiny -T q4_k -V "$M" "$T/tiny.gguf" >/dev/null 2>&1; then
    for t in 1 2 4; do printf '1\n403\n407\n261\n\n' | "$I" -m "$T/tiny.gguf" --all-logits -t $t > "$T/t$t"; done
    check "threads 1 = 2 = 4 (all logits, bytes)" sh -c "cmp -s '$T/t1' '$T/t2' && cmp -s '$T/t1' '$T/t4'"
    "$BIN/mkmodel" -a qwen2 -s tiny -T q8_0 -V "$M" "$T/qw.gguf" >/dev/null 2>&1
    got=$(printf '1\n403\n' | "$I" -m "$T/qw.gguf" -n 5 --temp 0 --ignore-eos | ids | wc -w | tr -d ' ')
    same "qwen2 model generates" "$got" 5
else
    skip "thread invariance" "mkmodel failed"
fi

# 9b. --no-mmap copies every weight into memory: where weights live, not
# what is computed (the same kernels read them)
for ty in f16 q4_0 q5_k q6_k; do
    if "$BIN/mkmodel" -s tiny -T $ty -V "$M" "$T/nm.gguf" >/dev/null 2>&1; then
        printf '1\n403\n407\n261\n\n' | "$I" -m "$T/nm.gguf" --all-logits --raw > "$T/nm1"
        printf '1\n403\n407\n261\n\n' | "$I" -m "$T/nm.gguf" --all-logits --raw --no-mmap > "$T/nm2"
        check "--no-mmap: the same logits, bytes ($ty)" cmp -s "$T/nm1" "$T/nm2"
    else
        skip "--no-mmap ($ty)" "mkmodel failed"
    fi
done

# 10. bad input: one clear message, the right status, never a crash
expect_err "no model" 2 "no model" "$I" -n 1
expect_err "no mode" 2 "no mode" "$I" -m "$M"
expect_err "two modes" 2 "one mode" "$I" -m "$M" --logits --perplexity
expect_err "missing model file" 1 "nope.gguf" sh -c "echo 1 | '$I' -m '$T/nope.gguf' -n 1"
expect_err "token out of vocabulary" 1 "line 2.*token id 512.*outside the vocabulary" sh -c "printf '1\n512\n' | '$I' -m '$M' -n 1"
expect_err "another tokenizer's stream" 1 "another tokenizer" sh -c \
    "printf '#llm-tokens 1 vocab=512 tokenizer=llama fingerprint=00000001\n1\n' | '$I' -m '$M' -n 1"
expect_err "another vocabulary size" 1 "vocabulary of 32000" sh -c \
    "printf '#llm-tokens 1 vocab=32000 tokenizer=llama\n1\n' | '$I' -m '$M' -n 1"
expect_err "context overflow" 1 "context full" sh -c "printf '1\n403\n407\n' | '$I' -m '$M' -n 10 -c 4 --temp 0"
expect_err "malformed token line" 1 "stdin" sh -c "printf '1\nabc\n' | '$I' -m '$M' -n 1"
head -c 500000 "$M" > "$T/trunc.gguf"
expect_err "truncated model" 1 "trunc.gguf" sh -c "echo 1 | '$I' -m '$T/trunc.gguf' -n 1"
expect_err "bad -t" 2 "-t" "$I" -m "$M" -n 1 -t 0
expect_err "perplexity of one token" 1 "nothing to score" sh -c "echo 1 | '$I' -m '$M' --perplexity"
# a closed stdout ends quietly; a full disk is an error
echo 1 | "$I" -m "$M" -n 200 --ignore-eos --temp 0 2> "$T/err" | head -1 > /dev/null
same "closed stdout: quiet" "$(cat "$T/err")" ""
expect_err "full disk" 1 "write error" sh -c "echo 1 | '$I' -m '$M' -n 10 --temp 0 > /dev/full"
