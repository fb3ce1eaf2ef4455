#!/bin/sh
# default-model.sh: print the path of the model the examples use when MODEL
# is not set.
#   examples/default-model.sh
# It is ../shared/models/stories260K.gguf (a tiny story model, 260K
# parameters, trained on simple children's stories) when that file exists,
# else a small model generated here with build/bin/mkmodel. The generated
# model has RANDOM weights: every stage runs and every shape is real, but its
# text is gibberish. A note on stderr says so.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BIN:-$top/build/bin}
d=${MODELS:-$top/../shared/models}
if [ -f "$d/stories260K.gguf" ]; then
    m=$(cd "$d" && pwd)/stories260K.gguf
    echo "$m"
    exit 0
fi
m=$top/build/random-tiny.gguf
if [ ! -f "$m" ]; then
    mkdir -p "$top/build"
    # -s tiny: 2 layers, width 256, a 512-token vocabulary; q8_0 weights.
    # mkmodel writes a temp file and renames it, so parallel callers are safe.
    "$B/mkmodel" -s tiny -T q8_0 "$m" >&2
fi
echo "note: no stories260K.gguf in ${MODELS:-../shared/models}: using $m," >&2
echo "note: a generated model with RANDOM weights (its text is gibberish)" >&2
echo "$m"
