#!/bin/sh
# make-quant.sh: regenerate tests/golden/quant/ from llama.cpp's ggml (the
# prebuilt reference of ../shared/ref, installed by its setup.sh), for
# tests/unit/test_quant_golden.c. Run from anywhere:
#   sh tests/golden/make-quant.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}
[ -f "$REF/include/ggml.h" ] || { echo "make-quant.sh: $REF/include/ggml.h missing: run ../shared/ref/setup.sh" >&2; exit 1; }
case $(uname -m) in x86_64) PLAT=linux-x64 ;; aarch64|arm64) PLAT=linux-arm64 ;; *) PLAT=linux-$(uname -m) ;; esac
LIBDIR=$REF/node_modules/@node-llama-cpp/$PLAT/bins/$PLAT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=c11 -Wall -Wextra -I"$REF/include" -I"$here" -o "$tmp/make-quant" \
    "$here/make-quant.c" -L"$LIBDIR" -l:libggml-base.so -lm -Wl,-rpath,"$LIBDIR"
mkdir -p "$tmp/out"
"$tmp/make-quant" "$tmp/out"
echo "# llama.cpp $(cat "$REF/include/SOURCE_COMMIT") (node-llama-cpp prebuilt libggml-base)" > "$tmp/out/SOURCE"
rm -rf "$here/quant.new" && mv "$tmp/out" "$here/quant.new"
rm -rf "$here/quant" && mv "$here/quant.new" "$here/quant"
ls -l "$here/quant"
