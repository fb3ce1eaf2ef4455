# t_badinput.sh: every row of tests/badinput.tsv (name, exit status, stderr
# regex, command): truncated and corrupted models, bad token and tensor
# streams, context overflow, missing inputs, unwritable outputs, a full
# disk, a closed stdout. Each command runs under `timeout 20` in $T with
# the helpers below; a case passes when the status matches, stderr matches
# the regex in at most 3 lines (a closed stdout: status 0 or 141 and stderr
# empty), and stderr holds no sanitizer report.
. "$TOP/tests/lib.sh"
B=$BIN
# ASan's allocator aborts on a huge request (or reserves a terabyte and
# zero-fills it) instead of returning NULL as libc does; the "out of memory"
# cases check the program's answer to NULL. Its warning about the failed
# allocation is dropped from stderr below.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=16384"

cat > "$T/h.sh" <<'EOS'
# le N VALUE: VALUE as N little-endian bytes (two's complement)
le() { _n=$1 _v=$2 _i=0; while [ $_i -lt $_n ]; do printf "\\$(printf %03o $(( (_v >> (8 * _i)) & 255 )))"; _i=$((_i + 1)); done; }
# gstr S: a GGUF string (u64 length, bytes)
gstr() { le 8 ${#1}; printf %s "$1"; }
# poke FILE OFFSET N VALUE: overwrite N bytes of FILE at OFFSET
poke() { le "$3" "$4" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# mut FILE OFFSET N VALUE: FILE = a copy of $M with those bytes changed
mut() { cp "$M" "$1" && poke "$@"; }
EOS
. "$T/h.sh"
# at FILE TEXT: byte offset of the first TEXT in FILE
at() { grep -obUa -m1 -- "$2" "$1" | head -1 | cut -d: -f1; }

# fixtures: a small Q4_0 model (toy vocabulary of 320), one with 330 tokens,
# a small F32 one to quantize, NaN/inf-weight copies, a token stream, logits
cd "$T" || exit 1
if ! "$B/mkmodel" -s tiny -T q4_0 --vocab 320 --ctx 64 m.gguf >/dev/null 2>&1 ||
   ! "$B/mkmodel" -s tiny -T q4_0 --vocab 330 --ctx 64 m2.gguf >/dev/null 2>&1 ||
   ! "$B/mkmodel" -T f32 --dim 64 --ff 128 --layers 1 --heads 2 --kv-heads 2 --vocab 320 f.gguf >/dev/null 2>&1 ||
   ! "$B/mkmodel" -s tiny -T q4_k --vocab 320 --ctx 64 k.gguf >/dev/null 2>&1; then
    fail "fixtures" "mkmodel failed"; exit 0
fi
M=m.gguf F=f.gguf TOK=tok LG=lg   # relative: messages name them so
"$B/llm-tokenize" -m "$M" "hello world" > "$TOK"
"$B/llm-infer" -m "$M" --logits < "$TOK" > "$LG"
# offsets into m.gguf: the first tensor's name, some key-values
P=$(at m.gguf token_embd.weight) K=$(at m.gguf general.architecture) A=$(at m.gguf tokenizer.ggml.tokens)
H=$(at m.gguf llama.attention.head_count) L=$(at m.gguf llama.block_count) E=$(at m.gguf llama.embedding_length)
# output_norm.weight's data offset, from llm-inspect's table: one NaN / inf value
norm_at() { "$B/llm-inspect" "$1" | awk '$2 == "output_norm.weight" { print $6 }'; }
cp m.gguf nan.gguf; poke nan.gguf "$(norm_at m.gguf)" 4 0x7fc00000
cp m.gguf inf.gguf; poke inf.gguf "$(norm_at m.gguf)" 4 0x7f800000
cp k.gguf nank.gguf; poke nank.gguf "$(norm_at k.gguf)" 4 0x7fc00000
export B M F TOK LG P K A H L E T
for v in P K A H L E; do
    eval "x=\$$v"; [ -n "$x" ] || { fail "fixtures" "offset $v not found in m.gguf"; exit 0; }
done

sanitizer='AddressSanitizer|LeakSanitizer|runtime error:'
n=0
tab=$(printf '\t')
while IFS="$tab" read -r name want re cmd; do
    case "$name" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    rm -f "$T/err" "$T/rc"
    if [ "$want" = quiet ]; then
        timeout 20 sh -c ". '$T/h.sh'; { $cmd; } 2>'$T/err'; echo \$? >'$T/rc'" | head -1 >/dev/null
        rc=$(cat "$T/rc" 2>/dev/null || echo 124)
    else
        timeout 20 sh -c ". '$T/h.sh'; $cmd" >/dev/null 2>"$T/err" </dev/null
        rc=$?
    fi
    grep -v -E '^==[0-9]+==WARNING: AddressSanitizer failed to allocate' "$T/err" > "$T/err2"; mv "$T/err2" "$T/err"
    lines=$(wc -l < "$T/err" | tr -d ' ')
    if [ "$rc" = 124 ]; then fail "$name" "timed out (20 s)"
    elif grep -q -E "$sanitizer" "$T/err"; then fail "$name" "sanitizer: $(grep -m1 -E "$sanitizer" "$T/err")"
    elif [ "$want" = quiet ]; then
        if [ "$rc" != 0 ] && [ "$rc" != 141 ]; then fail "$name" "exit $rc, wanted 0 or 141; stderr: $(head -c 300 "$T/err")"
        elif [ -s "$T/err" ]; then fail "$name" "stderr not empty: $(head -c 300 "$T/err")"
        else ok "$name"; fi
    elif [ "$rc" != "$want" ]; then fail "$name" "exit $rc, wanted $want; stderr: $(head -c 300 "$T/err")"
    elif ! grep -q -E -- "$re" "$T/err"; then fail "$name" "stderr '$(head -c 300 "$T/err")' does not match '$re'"
    elif [ "$want" != 2 ] && [ "$lines" -gt 3 ]; then fail "$name" "$lines lines on stderr: $(head -c 300 "$T/err")"
    else ok "$name"; fi
done < "$TOP/tests/badinput.tsv"
[ "$n" -ge 60 ] && ok "badinput.tsv has $n cases" || fail "badinput.tsv" "only $n cases"

# unreadable file: chmod 000 does not stop root, so only as another user
if [ "$(id -u)" = 0 ]; then
    skip "unreadable model (chmod 000)" "running as root, who reads any file (the folder cases stand in)"
else
    cp "$M" noread.gguf && chmod 000 noread.gguf
    expect_err "unreadable model (chmod 000)" 1 "noread.gguf: Permission denied" "$B/llm-inspect" noread.gguf
fi
