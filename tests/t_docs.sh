# t_docs.sh: what every program promises a newcomer. --help exits 0 with
# the usage on stdout and nothing on stderr; --version names the program and
# the version; errors are one form, "PROG: what: why", with exit 1 for bad
# input and 2 for a usage error; every long option of --help is in the
# program's man page; llm(7) walks through every stage with its commands.
. "$TOP/tests/lib.sh"
version=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
progs="llm-tokenize llm-infer llm-sample llm-quantize llm-cost llm-inspect"
for p in $progs; do
    x=$BIN/$p
    if [ ! -x "$x" ]; then fail "$p built" "$x missing"; continue; fi
    "$x" --help >"$T/out" 2>"$T/err"; rc=$?
    same "$p --help exits 0" "$rc" 0
    head -n 1 "$T/out" | grep -q "^usage: $p " && ok "$p --help: usage on stdout" ||
        fail "$p --help: usage on stdout" "first line '$(head -n 1 "$T/out")'"
    same "$p --help: nothing on stderr" "$(cat "$T/err")" ""
    out=$("$x" --version 2>&1); rc=$?
    same "$p --version" "$rc: $out" "0: $p (llm-tools) $version"
    # -h is --help too
    "$x" -h >"$T/out2" 2>/dev/null && cmp -s "$T/out" "$T/out2" && ok "$p -h = --help" || fail "$p -h = --help" "differs"

    # an unknown option: a usage error (2), named like every other message:
    # "PROG: ...", not the path the program was run by
    expect_err "$p --no-such-option: exit 2, 'PROG: ...'" 2 "^$p: .*no-such-option" "$x" --no-such-option
    # the man page documents every long option --help lists
    man=$TOP/man/$p.1
    if [ -f "$man" ]; then
        miss=
        for o in $(grep -o -E -- '--[a-z][a-z0-9-]*' "$T/out" | sort -u); do
            esc=$(printf %s "$o" | sed 's/-/\\\\-/g')
            grep -q -e "$esc" -e "$o" "$man" || miss="$miss $o"
        done
        same "man/$p.1 documents every option of --help" "$miss" ""
    else
        fail "man/$p.1 exists" "missing"
    fi
done

# A missing input file: exit 1, every line of stderr in the form "PROG: ...",
# the error naming the file.
nf=$T/no-such-file.gguf
err1() {
    p=$1; shift
    "$@" </dev/null >/dev/null 2>"$T/err"; rc=$?
    bad=$(grep -v "^$p: " "$T/err")
    if [ "$rc" = 1 ] && [ -z "$bad" ] && grep -q "^$p: .*no-such-file" "$T/err"; then ok "$p: a missing file: exit 1, '$p: FILE: why'"
    else fail "$p: a missing file: exit 1, '$p: FILE: why'" "exit $rc, stderr '$(head -c 300 "$T/err")'"; fi
}
err1 llm-tokenize "$BIN/llm-tokenize" -m "$nf" hello
err1 llm-infer "$BIN/llm-infer" -m "$nf" --logits
err1 llm-sample "$BIN/llm-sample" --seed 1 "$nf"
err1 llm-quantize "$BIN/llm-quantize" "$nf" "$T/out.gguf" Q8_0
err1 llm-cost "$BIN/llm-cost" --users 1 --tokens 1 --stats "$nf"
err1 llm-inspect "$BIN/llm-inspect" "$nf"
# A usage error the program finds itself: exit 2, "PROG: ..." form.
expect_err "llm-infer without -m: exit 2" 2 '^llm-infer: ' "$BIN/llm-infer" --logits
expect_err "llm-tokenize without a model: exit 2" 2 '^llm-tokenize: ' "$BIN/llm-tokenize" hello
expect_err "llm-cost without --users: exit 2" 2 '^llm-cost: ' "$BIN/llm-cost"
expect_err "llm-inspect without a file: exit 2" 2 '^llm-inspect: ' "$BIN/llm-inspect"
expect_err "llm-quantize without a type: exit 2" 2 '^llm-quantize: ' "$BIN/llm-quantize" a.gguf
if have_models; then
    expect_err "llm-inspect --tensor of a missing tensor names it" 1 "^llm-inspect: .*no_such" \
        "$BIN/llm-inspect" --tensor no_such "$MODELS/stories260K.gguf"
fi

# llm(7): the overview names every stage, the command that shows its data,
# every tensor of llm-infer --dump, and the other pages.
f=$TOP/man/llm.7
if [ -f "$f" ]; then
    for w in 'llm\\-tokenize' 'token_embd.weight' 'tok_embd' 'attn_norm' 'RMSNorm' 'RoPE' \
             'attn_q' 'attn_k' 'attn_v' 'kqv_out' 'grouped' 'softmax' 'KV cache' 'ffn_gate' \
             'ffn_up' 'ffn_act' 'SwiGLU' 'ffn_out' 'l_out' 'result_norm' 'logits' 'llm\\-sample' \
             '\\-\\-dump' 'examples/stages.sh' 'llm\\-formats (5)' 'llm\\-infer (1)' \
             'llm\\-inspect (1)' 'llm\\-quantize (1)' 'llm\\-cost (1)' 'llm\\-tokenize (1)' 'llm\\-sample (1)'; do
        grep -qi -e "$w" "$f" && ok "llm.7 mentions $w" || fail "llm.7 mentions $w" "not found"
    done
    # each tensor name llm-infer(1) lists for --dump is explained in llm(7)
    if [ -f "$TOP/man/llm-infer.1" ]; then
        miss=
        for n in $(grep -o -E 'blk\.N\.[a-z_]+|tok_embd|result_norm' "$TOP/man/llm-infer.1" | sed 's/blk\.N\.//' | sort -u); do
            grep -q "$n" "$f" || miss="$miss $n"
        done
        same "llm.7 explains every --dump tensor of llm-infer.1" "$miss" ""
    fi
else
    fail "man/llm.7 exists" "missing"
fi
# every program has a man page, and each page is installed by make install
# (t_install.sh); the README points to each program
for p in $progs; do
    grep -q "^### $p" "$TOP/README.md" && ok "README has a section for $p" || fail "README has a section for $p" "no '### $p'"
done
rm -rf "$T"
