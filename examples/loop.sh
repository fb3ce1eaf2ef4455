#!/bin/sh
# loop.sh: text generation as three processes. The model (llm-infer) and the
# sampler (llm-sample) are separate programs; a FIFO carries each sampled
# token back to the model. For the same model, prompt, options and seed the
# tokens are exactly those of `llm-infer -n` in one process.
#   examples/loop.sh [MODEL.gguf] [PROMPT] [llm-sample options...]
#   examples/loop.sh ../shared/models/stories260K.gguf "Once upon a time" --temp 0.8 --seed 7
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BIN:-$top/build/bin}
# no MODEL.gguf: $MODEL, else stories260K or a random-weight model (default-model.sh)
M=${1:-${MODEL:-$("$top/examples/default-model.sh")}}
PROMPT=${2:-Once upon a time}
[ $# -ge 2 ] && shift 2 || shift $#

# A private folder for the FIFO and the prompt, removed on exit.
dir=$(mktemp -d "${TMPDIR:-/tmp}/llm-loop.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

# The feedback channel: what the sampler writes, the model reads.
mkfifo "$dir/fb"

# The prompt as a token stream: a header, one id a line, then an empty line
# (the end of a segment: "compute now").
"$B/llm-tokenize" -m "$M" "$PROMPT" > "$dir/prompt.tok"

# 1. cat: the model's input is the prompt, then every token fed back.
# 2. llm-infer --logits: at each segment end, the logits of the last position
#    as one tensor-stream record; it never reads past a segment's end, so it
#    answers each token before the next arrives.
# 3. llm-sample: one token per record, then an empty line, flushed at once.
#    --history gives it the prompt, so penalties see what llm-infer -n's
#    sampler sees; -m makes it stop at the model's end-of-generation token;
#    -n 64 unless the options say otherwise (the last -n wins).
# 4. tee: each token goes back into the FIFO, and on to
# 5. llm-tokenize -d: the text, as it comes.
# When llm-sample stops, tee ends, the FIFO closes, cat and llm-infer end.
cat "$dir/prompt.tok" "$dir/fb" \
    | "$B/llm-infer" -m "$M" --logits \
    | "$B/llm-sample" -m "$M" --history "$dir/prompt.tok" -n 64 "$@" \
    | tee "$dir/fb" \
    | "$B/llm-tokenize" -m "$M" -d
echo
