# t_install.sh: make install DESTDIR=... PREFIX=/usr puts the programs, the
# man pages, libllmcore.a, its headers and llmcore.pc in place; the
# installed programs run; a small C program built with
# `pkg-config --cflags --libs llmcore` embeds the GGUF reader and the
# tokenizer, and tokenizes as llm-tokenize does.
. "$TOP/tests/lib.sh"
R=$T/root
# install what this test run built (build/ or build-asan/): nothing rebuilds
build=$(cd "$BIN/.." && pwd)
case $build in
"$TOP"/*) rel=${build#"$TOP"/} ;;
*) skip install "BIN=$BIN is not under $TOP"; exit 0 ;;
esac
# -o: take the programs and the library as built (no rebuild with other flags)
make -s -C "$TOP" BUILD="$rel" -o all -o "$rel/libllmcore.a" install DESTDIR="$R" PREFIX=/usr >"$T/log" 2>&1; rc=$?
same "make install DESTDIR PREFIX=/usr exits 0" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/    /' "$T/log" | tail -n 10; exit 0; }

for p in llm-tokenize llm-infer llm-sample llm-quantize llm-cost llm-inspect; do
    out=$("$R/usr/bin/$p" --version 2>&1)
    case $out in "$p (llm-tools) "*) ok "installed $p runs" ;; *) fail "installed $p runs" "'$out'" ;; esac
done
for page in "$TOP"/man/*.[1-9]; do
    s=${page##*.} n=$(basename "$page")
    cmp -s "$page" "$R/usr/share/man/man$s/$n" && ok "man page $n installed in man$s" ||
        fail "man page $n installed in man$s" "missing or different"
done
for f in llm.7 llm-formats.5; do
    [ -f "$R/usr/share/man/man${f##*.}/$f" ] && ok "$f installed" || fail "$f installed" "missing"
done
if command -v man >/dev/null 2>&1 && man -l "$R/usr/share/man/man7/llm.7" 2>/dev/null | grep -q 'llm-tokenize'; then
    ok "man -l renders the installed llm(7)"
fi
[ -f "$R/usr/lib/libllmcore.a" ] && ok "libllmcore.a installed" || fail "libllmcore.a installed" "missing"
for h in gguf.h err.h tokenizer.h dtype.h stream.h; do
    [ -f "$R/usr/include/llm/$h" ] && ok "include/llm/$h installed" || fail "include/llm/$h installed" "missing"
done
pc=$R/usr/lib/pkgconfig/llmcore.pc
grep -q '^prefix=/usr$' "$pc" && ok "llmcore.pc: prefix=/usr" || fail "llmcore.pc: prefix=/usr" "$(head -n 1 "$pc")"

if ! command -v pkg-config >/dev/null 2>&1; then
    skip "pkg-config program" "pkg-config is not installed (apt-get install pkg-config)"
    rm -rf "$T"; exit 0
fi
# DESTDIR is a staging root: the sysroot variable maps /usr/... into it.
flags=$(PKG_CONFIG_PATH=$R/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R pkg-config --cflags --libs llmcore); rc=$?
same "pkg-config --cflags --libs llmcore" "$rc" 0
cat > "$T/hello.c" <<'EOF'
/* Embeds libcore: open a GGUF, count its tensors, tokenize a text. */
#include <stdio.h>
#include <string.h>
#include <gguf.h>
#include <tokenizer.h>

int main(int argc, char **argv) {
    llm_err e;
    if (argc != 3) return 2;
    gguf_file *f = gguf_open(argv[1], &e);
    if (!f) { fprintf(stderr, "hello: %s\n", e.msg); return 1; }
    printf("tensors %llu\n", (unsigned long long)f->n_tensors);
    llm_tokenizer *t = llm_tokenizer_from_gguf(f, &e);
    if (!t) { fprintf(stderr, "hello: %s\n", e.msg); gguf_close(f); return 1; }
    llm_tokens ids = {0};
    if (llm_tokenize(t, argv[2], strlen(argv[2]), LLM_TOK_ADD_SPECIAL, &ids, &e) < 0) return 1;
    for (size_t i = 0; i < ids.n; i++) printf("%s%d", i ? " " : "", (int)ids.ids[i]);
    printf("\n");
    llm_tokens_free(&ids);
    llm_tokenizer_free(t);
    gguf_close(f);
    return 0;
}
EOF
# an ASan build's library needs the sanitizer runtime at link time
san=
case $rel in *asan*) san="-fsanitize=address,undefined" ;; esac
# shellcheck disable=SC2086 # flags is a list of options
if cc -std=c11 $san -o "$T/hello" "$T/hello.c" $flags 2>"$T/cc.err"; then
    ok "a C program builds with pkg-config --cflags --libs llmcore"
else
    fail "a C program builds with pkg-config --cflags --libs llmcore" "$(head -c 400 "$T/cc.err")"
    rm -rf "$T"; exit 0
fi
if have_models; then M=$MODELS/stories260K.gguf
else M=$T/m.gguf; "$BIN/mkmodel" -s tiny -T q8_0 "$M" >/dev/null 2>&1; fi
out=$("$T/hello" "$M" "Once upon a time" 2>&1); rc=$?
same "the C program runs" "$rc" 0
n=$("$R/usr/bin/llm-inspect" "$M" | sed -n 's/.* \([0-9]*\) tensors,.*/\1/p' | head -n 1)
same "gguf_open: the tensor count llm-inspect prints" "$(echo "$out" | sed -n 's/^tensors //p')" "$n"
same "llm_tokenize: the ids llm-tokenize prints" "$(echo "$out" | sed -n 2p)" \
    "$("$R/usr/bin/llm-tokenize" -m "$M" --ids "Once upon a time")"
rm -rf "$T"
