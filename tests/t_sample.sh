# t_sample.sh: llm-sample on hand-made logits records: the options, the
# token stream it writes, reproducibility, a feedback loop through a FIFO,
# and bad input.
. "$TOP/tests/lib.sh"
S=$BIN/llm-sample

# rec V1 V2 ...: one enc=text record
rec() { printf '#llm-tensor 1 name=logits dtype=f32 shape=%d enc=text\n%s\n' $# "$*"; }
# ids: the token ids of a token stream, space separated
ids() { grep -v '^#' | grep -v '^$' | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }

# --- greedy, and every encoding ---
same "greedy picks the largest" "$(rec 1 2 3 0.5 -1 | $S --temp 0 | ids)" "2"
same "greedy tie: lower id" "$(rec 1 3 3 0.5 | $S --temp 0 | ids)" "1"
rec 1 2 1.5 > "$T/one.rec"
rec 1 2 3 | $S --temp 0 > "$T/one"
same "a token line then an empty line" "$(od -An -c < "$T/one" | tr -s ' ')" \
    "$(printf '2\n\n' | od -An -c | tr -s ' ')"
same "greedy without a seed prints none" "$(rec 1 2 3 | $S --temp 0 2>&1 >/dev/null)" ""
case "$(rec 1 2 3 | $S --temp 0 --samplers top_k 2>&1 >/dev/null)" in
    "llm-sample: seed "*) ok "temp 0 without a temperature step: the seed is printed" ;;
    *) fail "temp 0 without a temperature step: the seed is printed" "not printed" ;;
esac
# raw: 1.0 2.0 3.0 0.5 little-endian f32
raw() { printf '#llm-tensor 1 name=logits dtype=f32 shape=4 enc=raw\n\000\000\200\077\000\000\000\100\000\000\100\100\000\000\000\077'; }
same "enc=raw" "$(raw | $S --temp 0 | ids)" "2"
top() { printf '#llm-tensor 1 name=logits dtype=f32 shape=100 enc=top k=3\n42 1.5 7 2.5 99 -1\n'; }
same "enc=top (sparse candidates)" "$(top | $S --temp 0 | ids)" "7"
out=$(top | $S --seed 1 --temp 5 --top-k 0 --top-p 1 --min-p 0 --probs=9)
case "$out" in
    *"n=3	top="*) ok "enc=top: only the given ids are candidates" ;;
    *) fail "enc=top: only the given ids are candidates" "got '$out'" ;;
esac

# --- filters and --probs ---
out=$(rec 2 1 0 -1 | $S --temp 1 --top-k 0 --top-p 1 --min-p 0 --seed 1 --probs)
n=$(printf '%s\n' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^n=//p')
same "--probs: all four candidates" "$n" "4"
sum=$(printf '%s\n' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^top=//p' | tr ',' '\n' | \
    awk -F: '{ s += $2 } END { printf "%.3f", s }')
same "--probs: probabilities sum to 1" "$sum" "1.000"
p0=$(printf '%s\n' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^top=0://p' | cut -d, -f1)
same "--probs: p(0) is the softmax" "$p0" "0.643914"
out=$(rec 2 1 0 -1 | $S --temp 1 --top-k 2 --top-p 1 --min-p 0 --seed 1 --probs)
same "--top-k 2 keeps two" "$(printf '%s' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^n=//p')" "2"
out=$(rec 2 1 0 -1 | $S --temp 1 --top-k 0 --top-p 0.9 --min-p 0 --seed 1 --probs)
same "--top-p 0.9 keeps three (.644+.237 < .9)" "$(printf '%s' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^n=//p')" "3"
out=$(rec 2 1 0 -1 | $S --temp 1 --top-k 0 --top-p 1 --min-p 0.3 --seed 1 --probs)
same "--min-p 0.3 keeps two (e^-1 = .37)" "$(printf '%s' "$out" | head -1 | tr '\t' '\n' | sed -n 's/^n=//p')" "2"

# --- reproducibility ---
many() { i=0; while [ $i -lt 200 ]; do rec 1 1.2 0.8 1.1 0.9 1.05; i=$((i + 1)); done; }
many > "$T/many"
a=$($S --seed 7 --temp 1 "$T/many" | ids)
b=$($S --seed 7 --temp 1 < "$T/many" | ids)
c=$($S --seed 8 --temp 1 "$T/many" | ids)
same "same seed, same tokens" "$a" "$b"
if [ "$a" != "$c" ]; then ok "another seed, other tokens"; else fail "another seed, other tokens" "identical"; fi
$S --temp 1 -n 20 "$T/many" > "$T/r1" 2> "$T/err"
seed=$(sed -n 's/^llm-sample: seed \([0-9][0-9]*\)$/\1/p' "$T/err")
if [ -n "$seed" ]; then
    ok "no seed: the seed is printed"
    same "the printed seed repeats the run" "$($S --temp 1 -n 20 --seed "$seed" "$T/many" 2>/dev/null | ids)" "$(ids < "$T/r1")"
else
    fail "no seed: the seed is printed" "stderr: $(cat "$T/err")"
fi
same "-n 3 stops after 3 tokens" "$($S --seed 1 -n 3 "$T/many" | ids | wc -w | tr -d ' ')" "3"
same "-n 0 writes nothing" "$($S --seed 1 -n 0 "$T/many" | wc -c | tr -d ' ')" "0"

# --- EOS and history ---
{ rec 0 5 0; rec 0 0 5; rec 5 0 0; rec 0 5 0; } > "$T/eos"
same "--eos: written, then stop" "$($S --temp 0 --eos 0 "$T/eos" | ids)" "1 2 0"
printf '1\n1\n\n' > "$T/hist"
same "--history feeds the penalties" \
    "$(rec 1 2 1.5 | $S --temp 0 --repeat-penalty 2 --history "$T/hist" | ids)" "2"
same "without --history" "$(rec 1 2 1.5 | $S --temp 0 --repeat-penalty 2 | ids)" "1"
same "own tokens are penalized" \
    "$({ rec 1 2 1.5; rec 1 2 1.5; } | $S --temp 0 --repeat-penalty 2 | ids)" "1 2"

# --- a feedback loop through a FIFO: a fake model answers each token with
# a record whose largest logit is the next id; the sampler must write and
# flush each token without waiting for more input ---
cat > "$T/model.sh" <<'EOF'
next() { i=0; v=""; while [ $i -lt 5 ]; do if [ $i -eq "$1" ]; then v="$v 5"; else v="$v 0"; fi; i=$((i + 1)); done
         printf '#llm-tensor 1 name=logits dtype=f32 shape=5 enc=text\n%s\n' "$v"; }
next 0
while IFS= read -r line; do
    if [ -z "$line" ]; then next $(( (last + 1) % 5 )); else last=${line%%	*}; fi
done
EOF
mkfifo "$T/fb"
timeout 30 sh -c "sh '$T/model.sh' < '$T/fb' | '$S' --temp 0 -n 7 | tee '$T/fb'" > "$T/loop" 2>"$T/loop.err"
rc=$?
if [ $rc -eq 124 ]; then fail "FIFO loop" "hung (killed after 30 s)"
else same "FIFO loop: each token answered before the next" "$(ids < "$T/loop")" "0 1 2 3 4 0 1"; fi

# --- with a model: EOS and pieces from its metadata ---
if have_models; then
    # stories260K has 512 tokens; 2 is </s>
    vec() { awk -v hot="$1" 'BEGIN { print "#llm-tensor 1 name=logits dtype=f32 shape=512 enc=text";
        for (i = 0; i < 512; i++) printf "%s%s", (i == hot ? 9 : 0), (i < 511 ? " " : "\n") }'; }
    { vec 300; vec 2; vec 301; } > "$T/m"
    out=$($S --temp 0 -m "$MODELS/stories260K.gguf" "$T/m")
    same "-m: pieces, and eos from the model ends" "$(printf '%s' "$out" | grep . | cut -f1 | tr '\n' ' ')" "300 2 "
    same "-m: eos piece" "$(printf '%s' "$out" | grep '^2	')" "2	</s>"
    expect_err "-m: logits shorter than the vocabulary" 1 "4 logits, but .* has 512 tokens" \
        sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=4 enc=text\n0 0 9 0\n' | $S --temp 0 -m $MODELS/stories260K.gguf"
else
    skip "-m model" "no $MODELS/stories260K.gguf"
fi

# --- output closed early ---
i=0; while [ $i -lt 2000 ]; do cat "$T/many"; i=$((i + 100)); done > "$T/more"
$S --seed 1 "$T/more" 2> "$T/err" | head -1 > /dev/null
same "stdout closed: quiet" "$(cat "$T/err")" ""

# --- usage and bad input ---
check "--help" $S --help
same "--version" "$($S --version | cut -d' ' -f1)" "llm-sample"
expect_err "unknown option" 2 "Try" $S --bogus
expect_err "bad number" 2 "--temp: 'abc' is not a number" $S --temp abc
expect_err "unknown sampler" 2 "unknown step 'bogus'" $S --samplers "top_k;bogus"
expect_err "repeat penalty 0" 2 "out of range" $S --repeat-penalty 0
expect_err "nan logit" 1 "record 1: logit 2 is nan" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=3 enc=text\n1 2 nan\n' | $S --seed 1"
expect_err "inf logit" 1 "record 2: logit 0 is \+inf" sh -c "{ printf '#llm-tensor 1 name=logits dtype=f32 shape=2 enc=text\n1 2\n'; printf '#llm-tensor 1 name=logits dtype=f32 shape=2 enc=text\ninf 2\n'; } | $S --seed 1"
expect_err "all masked" 1 "nothing to sample" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=2 enc=text\n-inf -inf\n' | $S --seed 1"
expect_err "size changes" 1 "record 2: 3 logits, earlier records had 2" sh -c "{ printf '#llm-tensor 1 name=logits dtype=f32 shape=2 enc=text\n1 2\n'; printf '#llm-tensor 1 name=logits dtype=f32 shape=3 enc=text\n1 2 3\n'; } | $S --seed 1"
expect_err "two rows" 1 "2 rows of logits" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=2,2 enc=text\n1 2 3 4\n' | $S --seed 1"
expect_err "truncated record" 1 "record 1" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=4 enc=text\n1 2\n' | $S --seed 1"
expect_err "truncated raw" 1 "record 1" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=4 enc=raw\n\000\000\200\077' | $S --seed 1"
expect_err "empty record" 1 "." sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=0 enc=text\n\n' | $S --seed 1"
expect_err "top id out of range" 1 "record 1" sh -c "printf '#llm-tensor 1 name=logits dtype=f32 shape=4 enc=top k=1\n9 1.5\n' | $S --seed 1"
expect_err "missing history file" 1 "nonexistent" $S --history "$T/nonexistent" "$T/many"
expect_err "two inputs" 2 "one input" $S a b
expect_err "history and logits both stdin" 2 "both be stdin" $S --history -
same "--history - with logits from a file" "$(printf '1\n\n' | $S --temp 0 --repeat-penalty 2 --history - "$T/one.rec" 2>&1 | ids)" "2"
