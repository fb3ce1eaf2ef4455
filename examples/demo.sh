#!/bin/sh
# make demo: text in, text out, on a default model.
#   examples/demo.sh [MODEL.gguf] [PROMPT]
# Without MODEL: ../shared/models/stories260K.gguf when present, else a small
# model generated here (random weights: its text is gibberish, but every
# stage runs).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BIN:-$top/build/bin}
M=${1:-}
PROMPT=${2:-Once upon a time}
if [ -z "$M" ]; then
    if [ -f "$top/../shared/models/stories260K.gguf" ]; then
        M=$top/../shared/models/stories260K.gguf
    else
        M=$top/build/demo-random.gguf
        [ -f "$M" ] || "$B/mkmodel" -s tiny -T q8_0 "$M"
        echo "demo: no model given and ../shared/models is absent: using $M," >&2
        echo "demo: a generated model with RANDOM weights (expect gibberish)" >&2
    fi
fi
echo "demo: $M, prompt \"$PROMPT\"" >&2
# tokenize -> run the model (64 tokens, greedy) -> decode
"$B/llm-tokenize" -m "$M" "$PROMPT" | "$B/llm-infer" -m "$M" -n 64 --temp 0 | "$B/llm-tokenize" -m "$M" -d
echo
