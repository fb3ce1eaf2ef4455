# t_tokenize.sh: llm-tokenize from the command line: the token stream,
# --ids/--count/--lines/--special/--no-bos, decoding (-d) with bytes split
# across tokens, --chat, --vocab tokenizer.json, and bad input.
. "$TOP/tests/lib.sh"
P="$BIN/llm-tokenize"
SPM="$MODELS/ggml-vocab-llama-spm.gguf"
GPT2="$MODELS/ggml-vocab-gpt-2.gguf"
QWEN="$MODELS/qwen3-tokenizer.json"

check "help" "$P" --help
same "version" "$("$P" --version | cut -d' ' -f1)" "llm-tokenize"
expect_err "no model" 2 "give exactly one of -m" "$P" hello
expect_err "bad option" 2 "usage" "$P" --bogus

if [ ! -f "$SPM" ] || [ ! -f "$GPT2" ]; then
    skip "models" "no $SPM (../shared/models)"
    exit 0
fi

# ---- encoding ----
"$P" -m "$SPM" "Hello world" > "$T/s.tok"
same "stream" "$(cat "$T/s.tok")" "$(printf '#llm-tokens 1 vocab=32000 tokenizer=llama fingerprint=%s\n1\t<s>\n15043\t\342\226\201Hello\n3186\t\342\226\201world\n' "$(head -1 "$T/s.tok" | sed 's/.*fingerprint=//')")"
same "stream ends with an empty line" "$(tail -c 2 "$T/s.tok" | od -An -c | tr -d ' ')" '\n\n'
same "words joined" "$("$P" -m "$SPM" --ids Hello world)" "1 15043 3186"
same "stdin" "$(printf 'Hello world' | "$P" -m "$SPM" --ids)" "1 15043 3186"
printf 'Hello world' > "$T/in.txt"
same "file" "$("$P" -m "$SPM" --ids -f "$T/in.txt")" "1 15043 3186"
same "no-bos" "$("$P" -m "$SPM" --ids --no-bos "Hello world")" "15043 3186"
same "count" "$("$P" -m "$SPM" --count "Hello world")" "3"
same "lines" "$(printf 'Hello\nworld\n' | "$P" -m "$SPM" --ids --lines)" "$(printf '1 15043\n1 3186')"
same "lines stream" "$(printf 'a\nb' | "$P" -m "$SPM" --lines | grep -c '^$')" "2"
same "<s> is text" "$("$P" -m "$SPM" --ids --no-bos "<s>")" "529 29879 29958"
same "--special" "$("$P" -m "$SPM" --ids --no-bos --special "<s>Hi</s>")" "1 6324 2"
same "gpt-2" "$("$P" -m "$GPT2" --ids "Hello world")" "15496 995"
same "gpt-2 bytes" "$("$P" -m "$GPT2" --ids "🦙")" "8582 99 247"

# ---- decoding ----
txt='Ünïcödé 🦙 and  two  spaces, tabs	and
newlines'
for v in "$SPM" "$GPT2"; do
    n=$(basename "$v" .gguf)
    same "round trip $n" "$("$P" -m "$v" --no-bos "$txt" | "$P" -m "$v" -d --no-clean)" "$txt"
done
same "decode bytes across tokens" "$(printf '29871\n243\n162\n169\n156\n' | "$P" -m "$SPM" -d)" "🦙"
same "decode one token a segment" "$(printf '15043\n\n3186\n\n' | "$P" -m "$SPM" -d)" "Hello world"
same "decode after bos" "$(printf '1\n15043\n' | "$P" -m "$SPM" -d)" " Hello"
same "decode --special" "$(printf '1\n15043\n2\n' | "$P" -m "$SPM" -d --special)" "<s> Hello</s>"
same "decode --lines" "$(printf 'Hello\nworld\n' | "$P" -m "$SPM" --no-bos --lines | "$P" -m "$SPM" -d --lines)" "$(printf 'Hello\nworld')"
# ids that continue a text keep the first token's leading space with --continue
ids=$("$P" -m "$SPM" --no-bos --ids "Hello world" | tr ' ' '\n' | tail -n 1)
same "decode: a text starts without the dummy space" "$(printf '%s\n' "$ids" | "$P" -m "$SPM" -d)" "world"
same "decode --continue keeps it" "$(printf '%s\n' "$ids" | "$P" -m "$SPM" -d --continue)" " world"
same "decode gpt-2 clean spaces" "$(printf '15496\n837\n995\n' | "$P" -m "$GPT2" -d)" "Hello, world"

# ---- chat ----
printf 'system: Be brief.\nuser: Hi\n' > "$T/chat.txt"
expect_err "chat without template" 1 "no tokenizer.chat_template; known families: chatml, zephyr, llama2, mistral" \
    "$P" -m "$SPM" --chat -f "$T/chat.txt"
same "chat llama2" "$("$P" -m "$SPM" --chat --template llama2 --ids -f "$T/chat.txt")" \
    "$("$P" -m "$SPM" --ids --special "$(printf '[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]')")"
expect_err "chat bad template" 2 "unknown \(known: chatml" "$P" -m "$SPM" --chat --template jinja -f "$T/chat.txt"
expect_err "chat bad line" 1 "line 1: expected 'system: '" sh -c "echo hello | '$P' -m '$SPM' --chat --template zephyr"

# ---- tokenizer.json ----
if [ -f "$QWEN" ]; then
    same "qwen json" "$("$P" --vocab "$QWEN" --ids "Hello world")" "9707 1879"
    same "qwen chatml" "$("$P" --vocab "$QWEN" --chat --template chatml --ids -f "$T/chat.txt" | cut -d' ' -f1-3)" "151644 8948 198"
    same "qwen chat template from tokenizer_config.json" "$("$P" --vocab "$QWEN" --chat --ids -f "$T/chat.txt")" \
        "$("$P" --vocab "$QWEN" --chat --template chatml --ids -f "$T/chat.txt")"
    # the Qwen3 Jinja template as rendered by jinja2 (tests/golden/make-chat.sh)
    for c in "$TOP"/tests/golden/chat/*.conv; do
        n=$(basename "$c" .conv)
        same "qwen chat = jinja2 $n" "$("$P" --vocab "$QWEN" --chat --ids -f "$c")" \
            "$("$P" --vocab "$QWEN" --special --ids -f "${c%.conv}.chatml")"
    done
    same "qwen round trip" "$("$P" --vocab "$QWEN" "$txt" | "$P" --vocab "$QWEN" -d)" "$txt"
else
    skip "qwen json" "no $QWEN"
fi

# ---- bad input ----
expect_err "id out of range" 1 "line 2: token id 99999 out of range \(vocabulary of 32000\)" \
    sh -c "printf '1\n99999\n' | '$P' -m '$SPM' -d"
"$P" -m "$GPT2" "Hello" > "$T/g.tok"
expect_err "fingerprint mismatch" 1 "fingerprint [0-9a-f]{8} does not match" "$P" -m "$SPM" -d "$T/g.tok"
expect_err "not a token stream" 1 "." sh -c "echo 'hello' | '$P' -m '$SPM' -d"
printf 'GGUF\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$T/empty.gguf"
expect_err "gguf without tokenizer" 1 "empty.gguf: no tokenizer" "$P" -m "$T/empty.gguf" hi
expect_err "missing model" 1 "nope.gguf" "$P" -m "$T/nope.gguf" hi
printf '{"model": {"type": "BPE", "vocab": {' > "$T/bad.json"
expect_err "malformed tokenizer.json" 1 "bad.json: offset [0-9]+: " "$P" --vocab "$T/bad.json" hi
printf '{"model": {"type": "WordPiece"}}' > "$T/wp.json"
expect_err "tokenizer.json not BPE" 1 "model type 'WordPiece' is not supported" "$P" --vocab "$T/wp.json" hi
expect_err "decode with --ids" 2 "for encoding" "$P" -m "$SPM" -d --ids
