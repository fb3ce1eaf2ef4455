# t_sample_loop.sh: the model-sampler loop of issue 5. Tokenizer, model and
# sampler run as separate processes, the sampler's tokens fed back to the
# model through a FIFO; for the same model, prompt, options and seed the
# tokens must equal those of llm-infer -n in one process.
. "$TOP/tests/lib.sh"
I=$BIN/llm-infer S=$BIN/llm-sample K=$BIN/llm-tokenize
M=$MODELS/stories260K.gguf
N=24

if ! have_models; then skip "loop" "no $MODELS/stories260K.gguf"; exit 0; fi
if [ ! -x "$I" ] || [ ! -x "$K" ]; then skip "loop" "llm-infer or llm-tokenize not built yet"; exit 0; fi
if ! "$I" --help 2>/dev/null | grep -q -- '--logits'; then skip "loop" "llm-infer has no --logits yet"; exit 0; fi

"$K" -m "$M" "Once upon a time, there was a little" > "$T/prompt.tok" || { fail "tokenize prompt" "llm-tokenize failed"; exit 0; }
# ids: token ids of a token stream, one line, a trailing eos (2) dropped
# (llm-sample writes the eos it stops at; whether llm-infer -n does is its
# own choice, and not what this test is about)
ids() { grep -v '^#' | grep -v '^$' | cut -f1 | tr '\n' ' ' | sed -e 's/ $//' -e 's/ 2$//'; }

# loop INFER_OPTS -- SAMPLE_OPTS: the three-process pipeline; the sampler
# reads the model's end-of-generation tokens (-m) and stops at them, as
# llm-infer -n does
loop() {
    iopts=""
    while [ "$1" != "--" ]; do iopts="$iopts $1"; shift; done
    shift
    rm -f "$T/fb"
    mkfifo "$T/fb"
    # shellcheck disable=SC2086
    timeout 120 sh -c 'p=$1 fb=$2 I=$3 M=$4 S=$5 iopts=$6; shift 6
        cat "$p" "$fb" | "$I" -m "$M" --logits $iopts | "$S" -m "$M" "$@" | tee "$fb"' \
        sh "$T/prompt.tok" "$T/fb" "$I" "$M" "$S" "$iopts" "$@" > "$T/loop.tok" 2> "$T/loop.err"
    rc=$?
    if [ $rc -eq 124 ]; then echo HUNG; return; fi
    ids < "$T/loop.tok"
}

# agree NAME INFER_OPTS -- SAMPLE_OPTS: in one process vs the loop
agree() {
    name=$1; shift
    iopts="" sopts=""
    while [ "$1" != "--" ]; do iopts="$iopts $1"; shift; done
    shift
    sopts="$*"
    # shellcheck disable=SC2086
    one=$(timeout 120 "$I" -m "$M" -n $N $sopts < "$T/prompt.tok" 2> "$T/one.err" | ids)
    # shellcheck disable=SC2086
    two=$(loop $iopts -- -n $N $sopts)
    if [ "$two" = HUNG ]; then fail "$name" "the loop hung: $(head -c 300 "$T/loop.err")"; return; fi
    if [ -z "$one" ]; then fail "$name" "llm-infer -n wrote nothing: $(head -c 300 "$T/one.err")"; return; fi
    same "$name" "$two" "$one"
}

agree "loop = in-process: greedy" -- --temp 0
agree "loop = in-process: temp 0.8, top-p 0.9, seed 7" -- --temp 0.8 --top-p 0.9 --seed 7
agree "loop = in-process: pure softmax, seed 3" -- --temp 1 --top-k 0 --top-p 1 --min-p 0 --seed 3
agree "loop = in-process: min-p 0.1, top-k 10, seed 11" -- --temp 1.2 --min-p 0.1 --top-k 10 --seed 11
agree "loop = in-process: raw logits" --raw -- --temp 0.9 --seed 5

# penalties look back at the prompt too: llm-infer accepts it into the
# sampler's history, the sampler in the loop gets it with --history
one=$(timeout 120 "$I" -m "$M" -n $N --temp 0.7 --repeat-penalty 1.5 --seed 13 < "$T/prompt.tok" 2>/dev/null | ids)
two=$(loop -- -n $N --temp 0.7 --repeat-penalty 1.5 --seed 13 --history "$T/prompt.tok")
same "loop = in-process: repeat penalty 1.5 over prompt and output" "$two" "$one"

# enc=top: with top-k <= K first among the filters, the sparse candidates
# give the same tokens (penalties off, so nothing outside the top K can rise)
if "$I" --help 2>/dev/null | grep -q -- '--top'; then
    one=$(timeout 120 "$I" -m "$M" -n $N --temp 1 --top-k 20 --seed 21 < "$T/prompt.tok" 2>/dev/null | ids)
    two=$(loop --top 40 -- -n $N --temp 1 --top-k 20 --seed 21)
    same "loop with enc=top (K 40, top-k 20) = in-process" "$two" "$one"
else
    skip "loop with enc=top" "llm-infer has no --top yet"
fi

# the loop ends by itself at -n: all three processes exit
two=$(loop -- -n 5 --temp 0)
same "the loop stops after -n tokens" "$(echo "$two" | wc -w | tr -d ' ')" "5"

# examples/loop.sh (what README shows) gives the text llm-infer -n gives
ex=$(BIN=$BIN timeout 120 sh "$TOP/examples/loop.sh" "$M" "Once upon a time" --temp 0.8 --seed 7 -n 30 2>/dev/null)
one=$("$K" -m "$M" "Once upon a time" | timeout 120 "$I" -m "$M" -n 30 --temp 0.8 --seed 7 2>/dev/null | "$K" -m "$M" -d; echo)
same "examples/loop.sh = llm-infer -n" "$ex" "$one"
