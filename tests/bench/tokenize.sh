#!/bin/sh
# make bench: llm-tokenize against llama.cpp's llama_tokenize (../shared/ref)
# on the same machine, in the same run: the whole corpus (tests/corpus/*.txt,
# 1.48 MB) as one text, no BOS, for the Llama 2 SPM and GPT-2 vocabularies
# (and Qwen2's tokenizer.json, ours only). Prints a markdown table of MB/s
# (tokenizing only: the time of the same run on empty input, i.e. loading
# the vocabulary, is subtracted), median of R runs, and checks both gave
# the same ids.
#
# Environment: R (3), MODELS (../shared/models), LLM_REF_HOME (~/.cache/llm-ref).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD:-$top/build}/bin
R=${R:-3}
MODELS=${MODELS:-$top/../shared/models}
REF=${LLM_REF_HOME:-$HOME/.cache/llm-ref}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat "$top"/tests/corpus/*.txt > "$T/corpus.txt"
: > "$T/empty.txt"
bytes=$(wc -c < "$T/corpus.txt")

# the reference harness (as tests/golden/make-tok.sh builds it)
ref=
LIB=$REF/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
if [ -d "$LIB" ]; then
    LL=$(cd "$LIB" && ls libllama.v*.so libllama.so 2>/dev/null | head -n 1)
    LG=$(cd "$LIB" && ls libggml.v*.so libggml.so 2>/dev/null | head -n 1)
    if ${CC:-cc} -O2 -std=c11 -I"$REF/include" -DREF_BACKEND_DIR="\"$LIB\"" -o "$T/ref_tok" \
        "$top/tests/golden/ref_tok.c" -L"$LIB" -l:"$LL" -l:"$LG" -l:libggml-base.so -Wl,-rpath,"$LIB" 2>/dev/null; then
        ref=$T/ref_tok
    fi
fi
[ -n "$ref" ] || echo "bench: llama.cpp reference not found in $REF (bash ../shared/ref/setup.sh); its column stays empty" >&2

# median_ns CMD...: median time of R runs, in ns: CPU time (user + system)
# when /usr/bin/time is there (steadier on a shared machine), else wall time
median_ns() {
    i=0
    while [ $i -lt "$R" ]; do
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -f '%U %S' -o "$T/time" "$@" > "$T/out" 2>/dev/null
            awk '{ printf "%.0f\n", ($1 + $2) * 1e9 }' "$T/time"
        else
            t0=$(date +%s%N); "$@" > "$T/out" 2>/dev/null; t1=$(date +%s%N)
            echo $((t1 - t0))
        fi
        i=$((i + 1))
    done | sort -n | sed -n "$(( (R + 1) / 2 ))p"
}
# mbps CMD_WITH_CORPUS CMD_WITH_EMPTY: MB/s of the difference
mbps() {
    full=$(median_ns sh -c "$1")
    empty=$(median_ns sh -c "$2")
    awk -v b="$bytes" -v f="$full" -v e="$empty" 'BEGIN { d = (f - e) / 1e9; if (d <= 0) d = 1e-9; printf "%.2f", b / 1e6 / d }'
}

echo "| vocabulary | llm-tokenize MB/s | llama.cpp MB/s | ratio | same ids |"
echo "|---|---|---|---|---|"
for v in llama-spm gpt-2 qwen2-json; do
    case $v in
    qwen2-json) src="--vocab $MODELS/qwen3-tokenizer.json"; [ -f "$MODELS/qwen3-tokenizer.json" ] || continue ;;
    *) src="-m $MODELS/ggml-vocab-$v.gguf"; [ -f "$MODELS/ggml-vocab-$v.gguf" ] || continue ;;
    esac
    ours=$(mbps "'$B/llm-tokenize' $src --no-bos --ids -f '$T/corpus.txt'" "'$B/llm-tokenize' $src --no-bos --ids -f '$T/empty.txt'")
    theirs=- ratio=- same=-
    if [ -n "$ref" ] && [ "$v" != qwen2-json ]; then
        theirs=$(mbps "'$ref' -m '$MODELS/ggml-vocab-$v.gguf' --whole '$T/corpus.txt'" "'$ref' -m '$MODELS/ggml-vocab-$v.gguf' --whole '$T/empty.txt'")
        ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1fx", a / b }')
        "$B/llm-tokenize" $src --no-bos --ids -f "$T/corpus.txt" > "$T/a"
        "$ref" -m "$MODELS/ggml-vocab-$v.gguf" --whole "$T/corpus.txt" > "$T/b" 2>/dev/null
        if cmp -s "$T/a" "$T/b"; then same=yes; else same=NO; fi
    fi
    echo "| $v | $ours | $theirs | $ratio | $same |"
done
echo
echo "corpus: $bytes bytes (tests/corpus/*.txt as one text); median of $R runs of CPU time; vocabulary load time subtracted"
