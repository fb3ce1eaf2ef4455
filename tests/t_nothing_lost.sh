# t_nothing_lost.sh: SIGINT, SIGTERM or SIGHUP in the middle of llm-quantize
# (a 42 MB F32 model to Q4_K, a second or two) leaves neither the output
# nor a temporary file, the input is unchanged (sha256), and the program
# dies by that signal. A finished run leaves exactly the output.
. "$TOP/tests/lib.sh"
Q=$BIN/llm-quantize
mkdir "$T/d"
if ! "$BIN/mkmodel" -s small -T f32 "$T/in.gguf" >/dev/null 2>&1; then fail "fixture" "mkmodel failed"; exit 0; fi
before=$(sha256sum < "$T/in.gguf")

# only the given files in $T/d (the folder of the output)
listing() { (cd "$T/d" && ls -A | tr '\n' ' '); }

for sig in INT TERM HUP; do
    n="SIG$sig during llm-quantize"
    rm -f "$T/d"/*
    "$Q" -q -t 1 "$T/in.gguf" "$T/d/o.gguf" Q4_K 2>"$T/err" &
    pid=$!
    # wait for the temporary file: the writer is then in the middle
    i=0
    while [ $i -lt 2000 ] && [ -z "$(ls "$T/d" 2>/dev/null)" ]; do sleep 0.01; i=$((i + 1)); done
    tmp=$(listing)
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    case "$tmp" in
    o.gguf.tmp.*) ;;
    *) skip "$n" "no temporary file seen before the end (saw '$tmp')"; continue ;;
    esac
    left=$(listing)
    if [ -n "$left" ]; then fail "$n: nothing left" "files left: $left"
    else ok "$n: neither output nor temporary file left"; fi
    case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
    same "$n: dies by the signal" "$rc" "$want"
    same "$n: input unchanged" "$(sha256sum < "$T/in.gguf")" "$before"
    if grep -q -E 'AddressSanitizer|runtime error' "$T/err"; then fail "$n: no sanitizer report" "$(head -3 "$T/err")"; fi
done

# a run to the end leaves the output alone, whole (it loads)
rm -f "$T/d"/*
"$Q" -q "$T/in.gguf" "$T/d/o.gguf" Q4_K 2>"$T/err"
same "finished run: only the output" "$(listing)" "o.gguf "
check "finished run: output loads" "$BIN/llm-inspect" "$T/d/o.gguf"
same "finished run: input unchanged" "$(sha256sum < "$T/in.gguf")" "$before"
