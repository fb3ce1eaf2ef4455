# t_examples.sh: every script in examples/ runs and does what its comments
# say: pipeline.sh, demo.sh (make demo), stages.sh (each "by hand" line equals
# the dumped tensor), loop.sh, batch/Makefile (incremental, make -j2),
# cluster.sh (GNU parallel locally, the ssh path on ":", the Slurm job script
# run by hand), cost-report.sh and quantize.mk. On stories260K when present,
# else on the generated random-weight model (the text checks then skip).
. "$TOP/tests/lib.sh"
E=$TOP/examples
export BIN
for p in llm-tokenize llm-infer llm-sample mkmodel; do
    [ -x "$BIN/$p" ] || { skip examples "$BIN/$p not built"; exit 0; }
done
if have_models; then
    M=$MODELS/stories260K.gguf
else
    skip "examples on stories260K" "no $MODELS/stories260K.gguf: using a generated model"
    M=$(sh "$E/default-model.sh" 2>/dev/null)
fi
export MODEL="$M"

# ---- pipeline.sh: text in, text out
out=$(sh "$E/pipeline.sh" "Once upon a time" 32 2>"$T/err"); rc=$?
same "pipeline.sh exits 0" "$rc" 0
want=$("$BIN/llm-tokenize" -m "$M" "Once upon a time" | "$BIN/llm-infer" -m "$M" -n 32 --temp 0 | "$BIN/llm-tokenize" -m "$M" -d)
same "pipeline.sh prints the greedy continuation" "$out" "$want"
if have_models; then
    case $out in ", there was a little girl named Lily."*) ok "pipeline.sh: a story" ;;
    *) fail "pipeline.sh: a story" "got '$out'" ;; esac
fi

# ---- default model: without ../shared/models, a generated one, said so
out=$(MODEL='' MODELS=$T/none sh "$E/pipeline.sh" "Once" 8 2>"$T/err"); rc=$?
same "pipeline.sh without models exits 0" "$rc" 0
if grep -q 'RANDOM weights' "$T/err"; then ok "pipeline.sh without models says the weights are random"
else fail "pipeline.sh without models says the weights are random" "stderr: $(cat "$T/err")"; fi

# ---- demo.sh (make demo)
out=$(sh "$E/demo.sh" "" "Once upon a time" 2>"$T/err"); rc=$?
same "demo.sh exits 0" "$rc" 0
[ -n "$out" ] && ok "demo.sh prints text" || fail "demo.sh prints text" "empty"

# ---- stages.sh: every stage shown, and each hand computation agrees
sh "$E/stages.sh" "Once upon a time" >"$T/st" 2>"$T/err"; rc=$?
same "stages.sh exits 0" "$rc" 0
for s in "0. model" "1. tokenize" "2. embed" "3. attention" "4. feed-forward" "5. logits" "6. sample"; do
    grep -q "== $s" "$T/st" && ok "stages.sh shows $s" || fail "stages.sh shows $s" "missing"
done
# nums LABEL: the first six numbers on the output line that starts with LABEL
nums() {
    awk -v l="   $1" 'index($0, l) == 1 { $0 = substr($0, length(l) + 1)
        for (i = 1; i <= 6; i++) printf "%s ", $i; exit }' "$T/st"
}
# agree LABEL_A LABEL_B: the six numbers after the two labels differ by < 2e-3
agree() {
    a=$(nums "$1") b=$(nums "$2")
    if [ -z "$a" ] || [ -z "$b" ]; then fail "stages.sh: $2 = $1" "line missing"; return; fi
    if awk -v a="$a" -v b="$b" 'BEGIN { if (split(a, x, " ") != 6 || split(b, y, " ") != 6) exit 1
        for (i = 1; i <= 6; i++) { d = x[i] - y[i]; if (d < 0) d = -d; if (d > 2e-3) exit 1 } }'
    then ok "stages.sh: $2 = $1"; else fail "stages.sh: $2 = $1" "'$a' vs '$b'"; fi
}
agree "attn_norm" "x/rms*w by hand"
agree "kqv_out (head 0)" "sum w*v by hand"
agree "ffn_act" "silu(g)*u by hand"
# the embedding line: "row ID" then the values
e1=$(grep '^   tok_embd ' "$T/st" | awk '{print $2, $3, $4}')
e2=$(grep '^   row ' "$T/st" | awk '{print $3, $4, $5}')
same "stages.sh: tok_embd is the token's row of token_embd.weight" "$e1" "$e2"
# greedy picks the most likely token of the logits table
top=$(sed -n '/== 5/{n;p}' "$T/st" | awk '{print $1}')
g=$(grep 'greedy:' "$T/st" | awk '{print $2}')
same "stages.sh: greedy takes the top logit" "$g" "$top"

# ---- loop.sh: three processes and a FIFO give llm-infer -n's tokens
out=$(timeout 60 sh "$E/loop.sh" "$M" "Once upon a time" --temp 0 -n 24 2>"$T/err"); rc=$?
same "loop.sh exits 0" "$rc" 0
want=$("$BIN/llm-tokenize" -m "$M" "Once upon a time" | "$BIN/llm-infer" -m "$M" -n 24 --temp 0 | "$BIN/llm-tokenize" -m "$M" -d)
same "loop.sh equals llm-infer -n (greedy)" "$out" "$want"

# ---- batch/Makefile: one output per prompt, incremental, parallel
mkdir -p "$T/prompts"
cp "$E"/batch/prompts/*.txt "$T/prompts/"
bm() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$E/batch" PROMPTS="$T/prompts" MODEL="$M" N=24 BIN="$BIN" "$@"; }
bm OUT="$T/b1" >"$T/log" 2>&1; rc=$?
same "batch: make exits 0" "$rc" 0
n_in=$(ls "$T/prompts" | wc -l) n_out=$(ls "$T/b1" 2>/dev/null | wc -l)
same "batch: one output per prompt" "$n_out" "$n_in"
ok=1
for p in "$T"/prompts/*.txt; do
    b=$(basename "$p")
    want=$("$BIN/llm-tokenize" -m "$M" "$(cat "$p")" | "$BIN/llm-infer" -m "$M" -n 24 --temp 0 | "$BIN/llm-tokenize" -m "$M" -d)
    [ "$(cat "$T/b1/$b")" = "$want" ] || { ok=0; fail "batch: $b" "'$(cat "$T/b1/$b")' want '$want'"; }
done
[ $ok = 1 ] && ok "batch: each output is the prompt's greedy continuation"
out=$(bm OUT="$T/b1" -n 2>&1)
same "batch: a second make has nothing to do" "$out" ""
sleep 1; touch "$T/prompts/dog.txt"
out=$(bm OUT="$T/b1" -n 2>&1 | grep -c llm-infer)
same "batch: a changed prompt alone reruns" "$out" 1
bm OUT="$T/b1" >/dev/null 2>&1
out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$E/batch" PROMPTS="$T/prompts" MODEL="$M" N=25 BIN="$BIN" OUT="$T/b1" -n 2>&1 | grep -c llm-infer)
same "batch: other settings (N) rerun every prompt" "$out" "$n_in"
bm OUT="$T/b1" >/dev/null 2>&1
out=$(bm OUT="$T/b1" -n 2>&1)
same "batch: back to the first settings, all rerun once, then nothing" "$out" ""
bm OUT="$T/b2" -j2 >"$T/log" 2>&1; rc=$?
same "batch: make -j2 exits 0" "$rc" 0
if diff -r -x .settings "$T/b1" "$T/b2" >/dev/null; then ok "batch: make -j2 gives the same files"
else fail "batch: make -j2 gives the same files" "$(diff -r -x .settings "$T/b1" "$T/b2" | head -c 300)"; fi

# ---- cluster.sh: GNU parallel on local workers; the Slurm job by hand
if command -v parallel >/dev/null 2>&1; then
    JOBS=2 N=24 sh "$E/cluster.sh" local "$T/prompts" "$T/c1" >"$T/log" 2>&1; rc=$?
    same "cluster.sh local exits 0" "$rc" 0
    diff -r -x .settings "$T/b1" "$T/c1" >/dev/null && ok "cluster.sh local = batch/Makefile" || fail "cluster.sh local = batch/Makefile" "$(diff -r -x .settings "$T/b1" "$T/c1" | head -c 300)"
    JOBS=2 N=24 sh "$E/cluster.sh" local "$T/prompts" "$T/c1" >"$T/log" 2>&1
    same "cluster.sh local: a rerun skips done prompts" "$(cat "$T/log")" ""
    JOBS=2 N=24 sh "$E/cluster.sh" ssh : "$T/prompts" "$T/c2" >"$T/log" 2>&1; rc=$?
    same "cluster.sh ssh (host ':', this machine) exits 0" "$rc" 0
    diff -r -x .settings "$T/b1" "$T/c2" >/dev/null && ok "cluster.sh ssh = batch/Makefile" || fail "cluster.sh ssh = batch/Makefile" "$(cat "$T/log" | head -c 300)"
else
    skip "cluster.sh local and ssh" "GNU parallel is not installed (apt-get install parallel)"
fi
N=24 sh "$E/cluster.sh" slurm "$T/prompts" "$T/c3" >"$T/log" 2>&1; rc=$?
same "cluster.sh slurm writes the job script" "$rc$(test -f "$T/c3/batch.sbatch" && echo ' ok')" "0 ok"
grep -q "^#SBATCH --array=0-$((n_in - 1))\$" "$T/c3/batch.sbatch" && ok "cluster.sh slurm: one array task per prompt" || fail "cluster.sh slurm: one array task per prompt" "$(grep array "$T/c3/batch.sbatch")"
if ! command -v sbatch >/dev/null 2>&1; then
    i=0
    while [ $i -lt "$n_in" ]; do SLURM_ARRAY_TASK_ID=$i sh "$T/c3/batch.sbatch" 2>/dev/null; i=$((i + 1)); done
    rm -f "$T/c3/batch.sbatch"
    diff -r -x .settings "$T/b1" "$T/c3" >/dev/null && ok "cluster.sh slurm tasks run by hand = batch/Makefile" || fail "cluster.sh slurm tasks by hand" "$(diff -r -x .settings "$T/b1" "$T/c3" | head -c 300)"
fi
out=$(sh "$E/cluster.sh" bogus 2>&1); rc=$?
same "cluster.sh: an unknown mode is a usage error" "$rc" 2

# ---- cost-report.sh (its own test is t_cost_report.sh): runs as shipped
if [ -x "$BIN/llm-cost" ]; then
    MODELS="$MODELS" sh "$E/cost-report.sh" >"$T/cr" 2>"$T/err"; rc=$?
    same "cost-report.sh exits 0" "$rc" 0
    grep -q 'break-even' "$T/cr" && ok "cost-report.sh prints a break-even" || fail "cost-report.sh prints a break-even" "$(tail -n 3 "$T/cr")"
else
    skip "cost-report.sh" "llm-cost not built"
fi

# ---- quantize.mk (by the llm-quantize author): its table on stories260K
if [ ! -f "$E/quantize.mk" ]; then
    skip "quantize.mk" "examples/quantize.mk is not there yet"
elif [ ! -x "$BIN/llm-quantize" ]; then
    skip "quantize.mk" "llm-quantize not built"
elif ! have_models; then
    skip "quantize.mk" "no $MODELS/stories260K.gguf"
else
    qm() { (cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL timeout 120 make -s -f examples/quantize.mk BIN="$BIN" OUT="$T/q" \
        MODEL="$MODELS/stories260K.gguf" TEXT="$MODELS/stories260K.greedy256.txt" "$@"); }
    qm TYPES="Q8_0 Q4_0" >"$T/log" 2>&1; rc=$?
    same "quantize.mk exits 0" "$rc" 0
    rows=$(grep -c -E '^\| (stories260K|Q8_0|Q4_0) \| [0-9.]+ \|' "$T/log")
    same "quantize.mk: a table row per type and the original" "$rows" 3
    out=$(qm TYPES="Q8_0 Q4_0" -n table 2>&1 | grep -c 'bin/llm-')
    same "quantize.mk: a second run computes nothing" "$out" 0
fi

# every example is documented in the README
for f in pipeline.sh stages.sh loop.sh cluster.sh cost-report.sh quantize.mk batch/Makefile; do
    grep -q "examples/$f" "$TOP/README.md" && ok "README shows examples/$f" || fail "README shows examples/$f" "not mentioned"
done
rm -rf "$T"
