# t_memory.sh: llm-infer maps the model instead of copying it. A generated
# 107 MB Q4_0 model runs under `ulimit -v` set to its size + 512 MB, and
# under its size + 64 MB (less than a copy would need); with far too
# little memory it fails with a message naming memory, not a crash.
# (A TinyLlama-sized check is tests/bench/memory.sh.) Skipped under ASan,
# whose shadow memory needs terabytes of address space.
. "$TOP/tests/lib.sh"
I=$BIN/llm-infer
if grep -q __asan_init "$I" 2>/dev/null; then skip "memory limits" "ASan build: ulimit -v cannot apply"; exit 0; fi
m=$T/mid.gguf
if ! "$BIN/mkmodel" -T q4_0 --dim 2048 --ff 2048 --layers 2 --heads 16 --kv-heads 16 --vocab 32000 --ctx 256 \
        "$m" >/dev/null 2>&1; then
    fail "fixture" "mkmodel failed"; exit 0
fi
"$BIN/llm-tokenize" -m "$m" "Once upon a time" > "$T/p.tok"
kb=$(( $(wc -c < "$m") / 1024 ))
# run KB ARGS...: llm-infer under ulimit -v KB; stdout to $T/out, stderr to $T/err
run() { v=$1; shift; sh -c "ulimit -v $v && exec \"\$@\"" sh "$I" -m "$m" "$@" < "$T/p.tok" > "$T/out" 2> "$T/err"; }

run $((kb + 512 * 1024)) -t 2 -n 8 --seed 1
rc=$?
same "runs under ulimit -v size + 512 MB" "$rc $(grep -v '^#' "$T/out" | grep -c .)" "0 8"
run $((kb + 64 * 1024)) -t 2 -n 8 --seed 1
rc=$?
same "runs under ulimit -v size + 64 MB (the model is not copied)" "$rc $(grep -v '^#' "$T/out" | grep -c .)" "0 8"
run $((kb + 64 * 1024)) -t 2 -n 8 --seed 1 --no-mmap
rc=$?
same "--no-mmap under size + 64 MB: no room for the copy, the mapping serves" "$rc $(grep -v '^#' "$T/out" | grep -c .)" "0 8"

# too little: half the model's size, and just under what it needs
for v in $((kb / 2)) $((kb + 4096)); do
    run $v -t 2 -n 8 --seed 1
    rc=$?
    n="ulimit -v ${v} KB (model $kb KB): clear error"
    if [ "$rc" -ge 128 ]; then fail "$n" "killed by signal $((rc - 128))"
    elif [ "$rc" != 1 ]; then fail "$n" "exit $rc, wanted 1"
    elif ! grep -q -i -E 'memory' "$T/err"; then fail "$n" "message does not name memory: $(head -c 200 "$T/err")"
    elif [ "$(wc -l < "$T/err")" -gt 2 ]; then fail "$n" "more than one message: $(head -c 300 "$T/err")"
    else ok "$n: $(head -1 "$T/err")"; fi
done
