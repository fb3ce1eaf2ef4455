#!/bin/sh
# make demo: text in, text out, on a default model.
#   examples/demo.sh [MODEL.gguf] [PROMPT]
# Without MODEL: ../shared/models/stories260K.gguf when present, else a small
# model generated here (random weights: its text is gibberish, but every
# stage runs). See default-model.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${BIN:-$here/../build/bin}
M=${1:-}
PROMPT=${2:-Once upon a time}
[ -n "$M" ] || M=$("$here/default-model.sh")
echo "demo: $M, prompt \"$PROMPT\"" >&2
# tokenize -> run the model (64 tokens, greedy) -> decode
"$B/llm-tokenize" -m "$M" "$PROMPT" | "$B/llm-infer" -m "$M" -n 64 --temp 0 | "$B/llm-tokenize" -m "$M" -d
echo
