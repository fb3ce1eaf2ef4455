# t_formats_man.sh: every man page in man/ renders without a groff warning,
# and man/llm-formats.5 specifies what the readers implement.
. "$TOP/tests/lib.sh"
if ! command -v groff >/dev/null 2>&1; then
    skip man-pages "groff is not installed (apt-get install groff)"
    exit 0
fi
for page in "$TOP"/man/*.[1-9]; do
    [ -f "$page" ] || continue
    name=$(basename "$page")
    # pages that need tbl say so on their first line: '\" t
    pre=
    head -n 1 "$page" | grep -q "^'\\\\\" t" && pre=-t
    out=$(groff $pre -man -ww -z "$page" 2>&1)
    same "man $name renders without warnings" "$out" ""
    grep -q '^\.TH ' "$page" && grep -q '^\.SH NAME' "$page" &&
        ok "man $name has .TH and NAME" || fail "man $name has .TH and NAME" "missing .TH or .SH NAME"
done
f="$TOP/man/llm-formats.5"
if [ -f "$f" ]; then
    for word in '#llm\\-tokens 1' '#llm\\-tensor 1' '#llm\\-stats' 'fingerprint=' 'enc=text' \
                'enc=raw' 'enc=top' 'outermost first' 'ne\[\]' '%.9g' 'ZSTD=1' 'segment' \
                'rss_bytes' 'tg_tps' 'pp_tps' 'load_s' 'prompt_tokens' 'gen_s'; do
        if grep -q -- "$word" "$f"; then ok "llm-formats.5 mentions $word"
        else fail "llm-formats.5 mentions $word" "not found"; fi
    done
else
    fail "llm-formats.5 exists" "missing"
fi
rm -rf "$T"
