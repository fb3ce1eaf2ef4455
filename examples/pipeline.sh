#!/bin/sh
# pipeline.sh: text in, text out, one program per stage.
#   examples/pipeline.sh [PROMPT] [TOKENS]
#   MODEL=any.gguf examples/pipeline.sh "Once upon a time" 64
# MODEL defaults to ../shared/models/stories260K.gguf, else a generated model
# with random weights (see default-model.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${BIN:-$here/../build/bin}
M=${MODEL:-$("$here/default-model.sh")}
PROMPT=${1:-Once upon a time}
N=${2:-64}

# 1. llm-tokenize: text -> token stream (a header line, then "ID<TAB>piece"
#    per token, then an empty line: "compute now").
# 2. llm-infer -n N: runs the model over the prompt, then picks N more tokens
#    one at a time (--temp 0: always the most likely one, so the output is
#    the same every run). Writes them as a token stream, as they come.
# 3. llm-tokenize -d: token stream -> text.
"$B/llm-tokenize" -m "$M" "$PROMPT" \
    | "$B/llm-infer" -m "$M" -n "$N" --temp 0 \
    | "$B/llm-tokenize" -m "$M" -d
echo
