#!/bin/sh
# cost-report.sh: the motivating scenario's cost table, computed correctly,
# and next to it what the same workloads cost on a local machine running a
# TinyLlama-class model.
#
#   examples/cost-report.sh [--model FILE | --make-tinyllama]
#                           [--tps X [--prompt-tps Y]] [--svg FILE]
#                           [llm-cost options...]
#
# The local speed is measured with `llm-infer --bench` (its #llm-stats line)
# when build/bin/llm-infer exists and a model is found (--model, $MODEL,
# a tinyllama*.gguf in $MODELS, else stories260K.gguf there). With
# --make-tinyllama, build/bin/mkmodel first writes a TinyLlama 1.1B-shaped
# Q4_0 model with random weights (about 620 MB, in $TMPDIR, removed after):
# the speed depends on the shapes, not on the weights. Otherwise it
# comes from --tps (default: an assumed 12 tokens/s generation, 40 tokens/s
# prompt, roughly TinyLlama 1.1B Q4_0 on a 2-core laptop). The output says
# which. Other options go to llm-cost (e.g. --watts 15 --kwh-price 0.35);
# the defaults here are a $500 mini PC drawing 30 W busy, 8 W idle.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/.." && pwd)
BIN=${BIN:-$TOP/build/bin}
MODELS=${MODELS:-$TOP/../shared/models}
COST=$BIN/llm-cost
[ -x "$COST" ] || { echo "cost-report.sh: $COST not built (run make)" >&2; exit 1; }

model=${MODEL:-} tps= ptps= svg= make_tiny=
while [ $# -gt 0 ]; do
    case $1 in
    --model) model=$2; shift 2 ;;
    --tps) tps=$2; shift 2 ;;
    --prompt-tps) ptps=$2; shift 2 ;;
    --svg) svg=$2; shift 2 ;;
    --make-tinyllama) make_tiny=1; shift ;;
    --help|-h) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) break ;;
    esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cost-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

users=100,1000,10000
tokens=300,400,500

echo "== The scenario, corrected =="
echo "100 users x 300 tokens at \$0.0005 per 1K tokens is 30,000 x 0.0005 / 1000"
echo "= \$0.015/day, \$0.45/month (not \$15/day). The whole table, at each API's"
echo "input price (--input-share 1, as the claim priced it), month = 30 days:"
echo
"$COST" --users $users --tokens $tokens --input-share 1 </dev/null | sed '/^$/,$d'
echo

# ---- the local speed: measured if we can, else given or assumed ----
if [ -n "$make_tiny" ] && [ -z "$model" ]; then
    if [ -x "$BIN/mkmodel" ]; then
        echo "making a TinyLlama-shaped Q4_0 model with random weights ..." >&2
        if nice "$BIN/mkmodel" -s tinyllama -T q4_0 "$tmp/tinyllama-shape-q4_0.gguf" >&2; then
            model=$tmp/tinyllama-shape-q4_0.gguf
        fi
    else
        echo "cost-report.sh: $BIN/mkmodel not built; --make-tinyllama ignored" >&2
    fi
fi
if [ -z "$model" ]; then
    for m in "$MODELS"/tinyllama*.gguf "$MODELS"/TinyLlama*.gguf "$MODELS"/stories260K.gguf; do
        [ -f "$m" ] && { model=$m; break; }
    done
fi
source_note=
if [ -z "$tps" ] && [ -x "$BIN/llm-infer" ] && [ -n "$model" ] && [ -f "$model" ]; then
    echo "measuring: llm-infer -m $model --bench ..." >&2
    if nice "$BIN/llm-infer" -m "$model" --bench >"$tmp/bench" 2>"$tmp/bench.err" &&
       grep '^#llm-stats' "$tmp/bench" "$tmp/bench.err" -h | tail -n 1 >"$tmp/stats" && [ -s "$tmp/stats" ]; then
        source_note="measured with llm-infer --bench on this machine: $(cat "$tmp/stats")"
        [ "$model" != "$tmp/tinyllama-shape-q4_0.gguf" ] || source_note="$source_note
(a TinyLlama 1.1B-shaped Q4_0 model with random weights: the speed is real, the text would not be)"
        case $(basename "$model") in
        [Tt]iny[Ll]lama*) ;;
        *) source_note="$source_note
(note: $(basename "$model") is not a TinyLlama-class model; pass --model FILE for one)" ;;
        esac
    else
        echo "cost-report.sh: llm-infer --bench failed: $(tail -n 1 "$tmp/bench.err")" >&2
    fi
fi
if [ -z "$source_note" ]; then
    if [ -n "$tps" ]; then
        source_note="from --tps $tps${ptps:+ --prompt-tps $ptps} (given, not measured here)"
    else
        tps=12 ptps=40
        why="build/bin/llm-infer not built"
        [ -x "$BIN/llm-infer" ] && why="no model found or the bench failed"
        source_note="ASSUMED, not measured ($why): 12 tokens/s generation, 40 prompt"
    fi
    : "${ptps:=$tps}"
    stats_file=
else
    stats_file=$tmp/stats
fi

echo "== Next to it: the same workloads on a local machine =="
echo "local speed $source_note"
echo "Half the tokens are prompt, half reply (--input-share 0.5), so the cloud"
echo "figures here use both prices."
echo
"$COST" --users $users --tokens $tokens --input-share 0.5 \
    ${stats_file:+--stats "$stats_file"} ${tps:+--tps "$tps" --prompt-tps "$ptps"} \
    --watts 30 --idle-watts 8 --hardware-cost 500 --lifetime-months 36 \
    ${svg:+--svg "$svg"} "$@" </dev/null
[ -z "$svg" ] || echo "chart: $svg"
