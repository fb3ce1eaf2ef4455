# llm-inspect and the synthetic model generator: every type, every shared
# model, bad files, output errors.
. "$TOP/tests/lib.sh"
I=$BIN/llm-inspect
check "help exits 0" $I --help
same "version" "$($I --version)" "llm-inspect (llm-tools) 0.1.0"
expect_err "no argument is a usage error" 2 "expected one MODEL" $I
expect_err "missing file" 1 "^llm-inspect: $T/nope.gguf: No such file" $I "$T/nope.gguf"
expect_err "a folder" 1 "is a folder" $I "$T"
printf 'GGUF' >"$T/short.gguf"
expect_err "4-byte file" 1 "too short to be GGUF" $I "$T/short.gguf"
head -c 100 /dev/zero >"$T/zero.gguf"
expect_err "zeros" 1 "offset 0: not a GGUF file" $I "$T/zero.gguf"

# every type the generator writes is read back with the right type and size
for t in f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q4_k q5_k q6_k; do
    if ! $BIN/mkmodel -T $t -s tiny "$T/m.gguf" 2>"$T/err"; then fail "mkmodel $t" "$(cat "$T/err")"; continue; fi
    line=$($I "$T/m.gguf" | grep ' blk.0.ffn_down.weight ')
    # q4_k is printed as ggml names it (q4_K)
    want=$(echo $t | sed 's/_k$/_K/')
    case "$line" in *" $want "*"512 x 256"*) ok "generated $t read back" ;; *) fail "generated $t read back" "$line" ;; esac
done
# bits per weight of a Q4_0 model: 4.5 for the quantized tensors, a little more in all
bpw=$($BIN/mkmodel -T q4_0 -s small "$T/q.gguf" && $I "$T/q.gguf" | sed -n 's/.* \([0-9.]*\) bits per weight/\1/p')
case "$bpw" in 4.5*|4.6*) ok "q4_0 bits per weight $bpw" ;; *) fail "q4_0 bits per weight" "$bpw" ;; esac
$BIN/mkmodel -a qwen2 -T q8_0 --tied "$T/qw.gguf"
n=$($I --json "$T/qw.gguf" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["metadata"]["general.architecture"], len(d["tensors"]), "output.weight" in [t["name"] for t in d["tensors"]])')
same "qwen2 tied: arch, 2 layers x 12 + 2 tensors, no output" "$n" "qwen2 26 False"

# the tensor stream of one tensor: shape outermost first, 64 values
if have_models; then
    M=$MODELS/stories260K.gguf
    out=$($I "$M")
    case "$out" in *"48 tensors, 292800 parameters"*) ok "stories260K totals" ;; *) fail "stories260K totals" "$(echo "$out" | tail -1)" ;; esac
    case "$out" in *"tokenizer.ggml.tokens"*"str[512]"*) ok "stories260K vocab 512" ;; *) fail "stories260K vocab 512" "no" ;; esac
    hdr=$($I -T output.weight "$M" | head -1)
    same "tensor record header" "$hdr" "#llm-tensor 1 name=output.weight dtype=f32 shape=512,64 enc=text"
    n=$($I -T blk.0.attn_norm.weight "$M" | tail -n +2 | wc -w)
    same "tensor record values" "$n" 64
    raw=$($I -T blk.0.attn_norm.weight --raw "$M" | wc -c)
    hl=$($I -T blk.0.attn_norm.weight --raw "$M" | head -1 | wc -c)
    same "raw record size" "$((raw - hl))" 256
    expect_err "unknown tensor" 1 "no tensor named 'nope'" $I -T nope "$M"
    $I "$M" >/dev/full 2>"$T/e"; rc=$?
    if [ $rc -eq 1 ] && grep -q "write error" "$T/e"; then ok "full disk"; else fail "full disk" "rc $rc $(cat "$T/e")"; fi
    for f in llama-2-tiny-random.gguf ggml-vocab-llama-spm.gguf ggml-vocab-gpt-2.gguf; do
        if $I --json "$MODELS/$f" | python3 -c 'import json,sys; json.load(sys.stdin)'; then ok "json of $f parses"; else fail "json of $f parses" "invalid"; fi
    done
    # truncated copies: one message, exit 1, no crash
    for n in 10 30 5000 14176 600000 1185375; do
        head -c $n "$M" >"$T/t.gguf"
        expect_err "stories260K cut at $n" 1 "t.gguf: " $I "$T/t.gguf"
    done
else
    skip "stories260K checks" "$MODELS not found (../shared/models)"
fi
