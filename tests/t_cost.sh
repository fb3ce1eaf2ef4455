# t_cost.sh: llm-cost from the command line: the motivating scenario in
# JSON and TSV, local figures, token counting, stats lines, the SVG, and
# bad input (see man/llm-cost.1).
. "$TOP/tests/lib.sh"
C="$BIN/llm-cost"
# cst ARGS: llm-cost with nothing on stdin (it reads stdin for a stats line
# when stdin is not a terminal and no speed is given).
cst() { "$C" "$@" </dev/null; }

have_py=false
command -v python3 >/dev/null 2>&1 && python3 -c 'import json, xml.dom.minidom' 2>/dev/null && have_py=true

# pyexpr NAME FILE EXPR: passes when the Python expression EXPR is true,
# with j = the JSON document in FILE (skipped without python3).
pyexpr() {
    n=$1 f=$2 ex=$3
    if ! $have_py; then skip "$n" "python3 not installed"; return; fi
    if out=$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
r = eval("(" + sys.argv[2] + ")")
print("yes" if r is True else "no: %r" % (r,))' "$f" "$ex" 2>&1) && [ "$out" = yes ]; then
        ok "$n"
    else
        fail "$n" "$ex: $(printf %s "$out" | tail -n 3)"
    fi
}

# ---- the motivating scenario ----
"$C" --users 100 --tokens 300 --input-share 1 --api gpt-3.5-turbo --json </dev/null >"$T/s.json" 2>"$T/err"
pyexpr "scenario \$0.015/day, \$0.45/month" "$T/s.json" \
  'abs(j["rows"][0]["cloud_usd_per_day"] - 0.015) < 1e-12 and abs(j["rows"][0]["cloud_usd_per_month"] - 0.45) < 1e-12 and j["month_days"] == 30'

"$C" --users 100,1000,10000 --tokens 300,400,500 --input-share 1 \
    --api gpt-3.5-turbo --api claude-3.5-sonnet --api gpt-4 --json </dev/null >"$T/table.json"
# Each cell worked out by hand: users x tokens x input price / 1M.
pyexpr "scenario table, 27 rows" "$T/table.json" '
(lambda want: len(j["rows"]) == 27 and all(
  abs(r["cloud_usd_per_day"] - r["users"] * r["tokens_per_user_per_day"] * want[r["api"]] / 1e6) < 1e-12
  and abs(r["cloud_usd_per_month"] - 30 * r["cloud_usd_per_day"]) < 1e-9 for r in j["rows"]))(
  {"gpt-3.5-turbo": 0.5, "claude-3.5-sonnet": 3, "gpt-4": 30})'
pyexpr "scenario table corners" "$T/table.json" '
[(r["users"], r["tokens_per_user_per_day"], r["api"], round(r["cloud_usd_per_day"], 6), round(r["cloud_usd_per_month"], 6))
 for r in (j["rows"][0], j["rows"][-1])] ==
[(100, 300, "gpt-3.5-turbo", 0.015, 0.45), (10000, 500, "gpt-4", 150.0, 4500.0)]'
pyexpr "JSON keys on every row" "$T/table.json" '
all(k in r for r in j["rows"] for k in ("cloud_usd_per_day", "cloud_usd_per_month", "local_usd_per_day",
  "local_usd_per_month", "local_usd_per_mtok", "breakeven_tokens_per_day", "devices_needed"))'
pyexpr "no local speed: nulls" "$T/table.json" 'j["local"] is None and j["rows"][0]["local_usd_per_day"] is None'

# The text table says the same.
"$C" --users 100 --tokens 300 --input-share 1 --api gpt-3.5-turbo </dev/null >"$T/s.txt"
if grep -q -E '^ *100 +300 +30,000 +gpt-3\.5-turbo +0\.015 +0\.45( |$)' "$T/s.txt"; then ok "text table row"
else fail "text table row" "$(head -n 3 "$T/s.txt")"; fi

# ---- TSV ----
"$C" --users 100,1000,10000 --tokens 300,400,500 --input-share 1 --tsv </dev/null >"$T/t.tsv"
same "TSV rows" "$(wc -l <"$T/t.tsv" | tr -d ' ')" 28
same "TSV header" "$(head -n 1 "$T/t.tsv" | cut -f 1-8)" \
  "$(printf 'users\ttokens_per_user_per_day\ttokens_per_day\tapi\tcloud_usd_per_day\tcloud_usd_per_month\tlocal_usd_per_day\tlocal_usd_per_month')"
same "TSV scenario row" "$(sed -n 2p "$T/t.tsv" | cut -f 1-6)" "$(printf '100\t300\t30000\tgpt-3.5-turbo\t0.015\t0.45')"
same "TSV last row" "$(tail -n 1 "$T/t.tsv" | cut -f 1-6)" "$(printf '10000\t500\t5000000\tgpt-4\t150\t4500')"
same "TSV columns" "$(awk -F '\t' '{print NF}' "$T/t.tsv" | sort -u)" 19

# ---- local: the laptop case of test_cost.c ----
# prompt 100 tok/s, generation 20, 25 W / 5 W, $0.20/kWh, $800 over 36
# months, peak 2: 100 users x 300 = $0.025 energy + 800/1080 hardware;
# 10,000 users need 3 devices; break-even against gpt-3.5-turbo at
# 2 x F/(c-e) = 1,582,222 tokens/day.
"$C" --users 100,10000 --tokens 300 --tps 20 --prompt-tps 100 --hardware-cost 800 --json </dev/null >"$T/l.json"
pyexpr "local cost/day" "$T/l.json" 'abs(j["rows"][0]["local_usd_per_day"] - (0.025 + 800 / 1080)) < 1e-9'
pyexpr "local cost/month and per 1M" "$T/l.json" '
abs(j["rows"][0]["local_usd_per_month"] - 30 * (0.025 + 800 / 1080)) < 1e-8 and
abs(j["rows"][0]["local_usd_per_mtok"] - (0.025 + 800 / 1080) / 30000 * 1e6) < 1e-6'
pyexpr "devices needed" "$T/l.json" '[r["devices_needed"] for r in j["rows"]] == [1, 1, 1, 3, 3, 3]'
pyexpr "break-even" "$T/l.json" '
abs(j["rows"][0]["breakeven_tokens_per_day"] - 2 * (800 / 1080 + 0.024) / (1e-6 - 20 * 0.03 / 3.6e6 * 0.2)) < 1e-3'
pyexpr "seconds per reply" "$T/l.json" 'j["rows"][0]["seconds_per_reply"] == 9'
"$C" --users 100 --tokens 300 --tps 20 --prompt-tps 100 --hardware-cost 5000 --api gpt-3.5-turbo </dev/null >"$T/never.txt"
if grep -q -E 'gpt-3\.5-turbo +never: a device' "$T/never.txt"; then ok "break-even never, with the reason"
else fail "break-even never, with the reason" "$(grep -A4 break-even "$T/never.txt")"; fi
"$C" --users 10000 --tokens 300 --tps 20 --prompt-tps 100 --devices 2 --json </dev/null >"$T/d.json"
pyexpr "too few devices" "$T/d.json" 'j["rows"][0]["keeps_up"] is False and j["rows"][0]["devices_used"] == 3'
"$C" --users 100 --tokens 300 --tps 20 --prompt-tps 100 --on-device --json </dev/null >"$T/o.json"
pyexpr "on-device: energy only" "$T/o.json" 'abs(j["rows"][0]["local_usd_per_day"] - 0.001) < 1e-12 and j["rows"][0]["devices_needed"] == 100'

# ---- speeds from a #llm-stats line ----
printf '#llm-stats model=tiny.gguf threads=2 prompt_tokens=128 prompt_s=1.28 gen_tokens=64 gen_s=3.2 pp_tps=100 tg_tps=20 load_s=0.1 rss_bytes=1000\n' >"$T/stats"
"$C" --users 100 --tokens 300 --hardware-cost 800 --json <"$T/stats" >"$T/st.json" 2>"$T/err"
pyexpr "stats line on stdin" "$T/st.json" '
j["local"]["pp_tps"] == 100 and j["local"]["tg_tps"] == 20 and j["local"]["model"] == "tiny.gguf" and
abs(j["rows"][0]["local_usd_per_day"] - (0.025 + 800 / 1080)) < 1e-9'
"$C" --users 100 --tokens 300 --stats "$T/stats" --json </dev/null >"$T/st2.json"
pyexpr "--stats FILE" "$T/st2.json" 'j["local"]["tg_tps"] == 20 and "--stats" in j["local"]["speed_source"]'
"$C" --users 100 --tokens 300 --stats - --json <"$T/stats" >"$T/st4.json"
pyexpr "--stats -" "$T/st4.json" 'j["local"]["tg_tps"] == 20'
expect_err "--stats - without a stats line" 1 "no #llm-stats line" cst --users 1 --tokens 3 --stats -
printf '#llm-stats 1 gen_tokens=64 gen_s=4\n' | "$C" --users 1 --tokens 10 --json >"$T/st3.json" 2>"$T/err3"
pyexpr "stats: speeds from counts" "$T/st3.json" 'j["local"]["tg_tps"] == 16 and j["local"]["pp_tps"] == 16'
if grep -q 'no prompt speed' "$T/err3"; then ok "stats: missing prompt speed warned"; else fail "stats: missing prompt speed warned" "$(cat "$T/err3")"; fi

# ---- --per-request: tokens counted on stdin, one segment a request ----
printf '#llm-tokens 1 vocab=32000\n1\t<s>\n22\n33\n\n1\n2\n3\n4\n5\n\n' >"$T/req.tok"
"$C" --users 10 --per-request --requests 10 --input-share 1 --api gpt-4 --json <"$T/req.tok" >"$T/pr.json" 2>"$T/err"
# (3 + 5) / 2 = 4 tokens per request x 10 requests = 40 tokens/user/day
pyexpr "per-request tokens" "$T/pr.json" '
j["rows"][0]["tokens_per_user_per_day"] == 40 and abs(j["rows"][0]["cloud_usd_per_day"] - 400 * 30 / 1e6) < 1e-12'
{ cat "$T/stats"; cat "$T/req.tok"; printf '7\n8\n'; } >"$T/mix"
"$C" --users 10 --per-request --json <"$T/mix" >"$T/pr2.json"
# segments 3, 5 and an unterminated 2: 10 / 3 tokens per request
pyexpr "per-request with stats and a last open segment" "$T/pr2.json" '
abs(j["rows"][0]["tokens_per_user_per_day"] - 10 / 3) < 1e-9 and j["local"]["tg_tps"] == 20'

# The real tokenizer in front: its per-line counts against ours.
if [ -x "$BIN/llm-tokenize" ] && have_models; then
    printf 'Once upon a time there was a cat.\nThe dog ran home.\nA big red ball.\n' >"$T/prompts.txt"
    want=$("$BIN/llm-tokenize" -m "$MODELS/stories260K.gguf" --lines --count -f "$T/prompts.txt" </dev/null |
           awk '{ s += $1; n++ } END { printf "%.10g", s / n * 4 }')
    got=$("$BIN/llm-tokenize" -m "$MODELS/stories260K.gguf" --lines -f "$T/prompts.txt" </dev/null |
          "$C" --users 5 --per-request --requests 4 --tsv | awk -F '\t' 'NR == 2 { print $2 }')
    same "per-request after llm-tokenize --lines" "$got" "$want"
else
    skip "per-request after llm-tokenize --lines" "no llm-tokenize or no \$MODELS/stories260K.gguf"
fi

# ---- SVG ----
"$C" --users 10,100,1000,100000 --tokens 300 --tps 20 --hardware-cost 800 --svg "$T/c.svg" </dev/null >/dev/null
if [ ! -s "$T/c.svg" ]; then fail "svg written" "no file"
elif $have_py; then
    if out=$(python3 -c '
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
s = [g.getAttribute("data-series") for g in d.getElementsByTagName("g") if g.getAttribute("class") == "series"]
lines = sum(len(g.getElementsByTagName("polyline")) for g in d.getElementsByTagName("g") if g.getAttribute("class") == "series")
texts = [t.firstChild.data for t in d.getElementsByTagName("text") if t.firstChild]
assert d.documentElement.tagName == "svg", "root"
assert s == ["gpt-3.5-turbo", "claude-3.5-sonnet", "gpt-4", "local"], s
assert lines >= 4, lines
for want in ("daily users", "USD per month", "$1", "100k"):
    assert want in texts, want
print("yes")' "$T/c.svg" 2>&1) && [ "$out" = yes ]; then ok "svg: well-formed XML, four series, axes, legend"
    else fail "svg: well-formed XML, four series, axes, legend" "$out"; fi
elif command -v xmllint >/dev/null 2>&1; then
    check "svg: well-formed XML (xmllint)" xmllint --noout "$T/c.svg"
    same "svg: series" "$(grep -c 'class="series"' "$T/c.svg")" 4
else
    skip "svg: well-formed XML" "neither python3 nor xmllint installed"
fi
"$C" --users 10,1000 --tokens 300 --svg - </dev/null >"$T/out.svg"
if head -n 1 "$T/out.svg" | grep -q '^<?xml' && tail -n 1 "$T/out.svg" | grep -q '^</svg>$'; then ok "--svg - writes only the SVG"
else fail "--svg - writes only the SVG" "$(head -n 2 "$T/out.svg")"; fi
same "svg: no temp file left" "$(ls -a "$T" | grep -c '^\.c\.svg\.')" 0
expect_err "svg to a device refused" 1 'not a regular file' cst --users 10 --tokens 3 --svg /dev/null
expect_err "svg to a folder refused" 1 'is a folder' cst --users 10 --tokens 3 --svg "$T"

# ---- prices: --list round trip, --prices FILE, custom prices ----
"$C" --list >"$T/p.tsv"
if grep -q -E '^gpt-3\.5-turbo	0\.5	1\.5	2024-01-25	' "$T/p.tsv"; then ok "--list"; else fail "--list" "$(head -n 3 "$T/p.tsv")"; fi
"$C" --prices "$T/p.tsv" --list >"$T/p2.tsv"
same "--list round trip" "$(cat "$T/p2.tsv")" "$(cat "$T/p.tsv")"
printf '# mine\nmy-api\t2\t4\t2025-06-01\tmy invoice\n' >"$T/mine.tsv"
"$C" --prices "$T/mine.tsv" --api my-api --users 1000 --tokens 1000 --json </dev/null >"$T/m.json"
pyexpr "--prices FILE" "$T/m.json" 'j["rows"][0]["cloud_usd_per_day"] == 3 and j["apis"][0]["source"] == "my invoice"'
"$C" --price-in 1 --price-out 3 --users 1000 --tokens 1000 --input-share 0.25 --json </dev/null >"$T/cu.json"
# 250,000 x 1/1M + 750,000 x 3/1M = 0.25 + 2.25
pyexpr "--price-in/--price-out" "$T/cu.json" 'j["rows"][0]["api"] == "custom" and j["rows"][0]["cloud_usd_per_day"] == 2.5'

# ---- bad input: status and a message naming the value ----
expect_err "negative users" 2 "^llm-cost: --users: -5 is out of range" cst --users -5 --tokens 3
expect_err "non-numeric users" 2 "--users: 'ten' is not a number" cst --users 10,ten --tokens 3
expect_err "fractional users" 2 "--users: 2.5 is not a whole number" cst --users 2.5 --tokens 3
expect_err "negative tokens" 2 "--tokens: -300 is out of range" cst --users 1 --tokens -300
expect_err "input share > 1" 2 "--input-share: 1.5 is out of range" cst --users 1 --tokens 3 --input-share 1.5
expect_err "non-numeric tps" 2 "--tps: 'fast' is not a number" cst --users 1 --tokens 3 --tps fast
expect_err "negative watts" 2 "--watts: -1 is out of range" cst --users 1 --tokens 3 --tps 5 --watts -1
expect_err "idle above busy" 2 "--idle-watts 50 is more than --watts 25" cst --users 1 --tokens 3 --tps 5 --idle-watts 50
expect_err "unknown API lists known ones" 2 "unknown API 'gpt-9'; known: gpt-3.5-turbo, claude-3.5-sonnet, gpt-4" \
    cst --users 1 --tokens 3 --api gpt-9
expect_err "price-in alone" 2 "--price-in and --price-out go together" cst --users 1 --tokens 3 --price-in 1
expect_err "users missing" 2 "--users is required" cst --tokens 3
expect_err "tokens missing" 2 "--tokens is required" cst --users 3
expect_err "unknown option" 2 "" cst --users 3 --tokens 3 --bogus
expect_err "on-device with devices" 2 "--on-device and --devices" cst --users 3 --tokens 3 --on-device --devices 2
printf 'ok-api 1 2\nbad-api 1 lots\n' >"$T/bad.tsv"
expect_err "malformed price file" 1 "bad.tsv: line 2: output price 'lots' is not a number" \
    cst --prices "$T/bad.tsv" --users 1 --tokens 3
expect_err "missing price file" 1 "nope.tsv: No such file" cst --prices "$T/nope.tsv" --users 1 --tokens 3
printf '#llm-stats model=m pp_tps=80 tg_tps=fast\n' >"$T/badstats"
expect_err "malformed stats line" 1 "stdin: line 1: stats line: tg_tps='fast' is not a number" \
    sh -c '"$1" --users 1 --tokens 3 <"$2"' sh "$C" "$T/badstats"
printf '#llm-stats model=m load_s=1\n' >"$T/nospeed"
expect_err "stats line without speed" 1 "no generation speed" sh -c '"$1" --users 1 --tokens 3 <"$2"' sh "$C" "$T/nospeed"
expect_err "stats file without a stats line" 1 "no #llm-stats line" cst --users 1 --tokens 3 --stats "$T/p.tsv"
printf '1\n2\nthree\n' >"$T/badtok"
expect_err "malformed token stream" 1 "stdin: line 3 .*token id" sh -c '"$1" --users 1 --per-request <"$2"' sh "$C" "$T/badtok"
expect_err "per-request without tokens" 1 "no tokens" sh -c '"$1" --users 1 --per-request </dev/null' sh "$C"
expect_err "tokens and per-request" 2 "choose one" cst --users 1 --tokens 3 --per-request

# ---- the usual ----
"$C" --help >"$T/help" 2>&1; rc=$?
same "--help exit 0" "$rc" 0
if grep -q '^usage: llm-cost' "$T/help"; then ok "--help usage"; else fail "--help usage" "$(head -n 2 "$T/help")"; fi
if "$C" --version | grep -q '^llm-cost (llm-tools) '; then ok "--version"; else fail "--version" "wrong"; fi
if [ -w /dev/full ]; then
    expect_err "full disk" 1 "write error" sh -c '"$1" --users 1 --tokens 3 </dev/null >/dev/full' sh "$C"
else
    skip "full disk" "no /dev/full"
fi

# ---- --chart: only on a terminal ----
"$C" --users 100,1000 --tokens 300 --tps 20 --chart </dev/null >"$T/nochart" 2>"$T/err"
if ! grep -q 'log scale' "$T/nochart" && grep -q 'not a terminal' "$T/err"; then ok "--chart off a terminal"
else fail "--chart off a terminal" "$(cat "$T/err")"; fi
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
    script -qec "'$C' --users 100,1000 --tokens 300 --tps 20 --chart </dev/null" /dev/null </dev/null >"$T/chart" 2>&1
    if grep -q 'monthly cost, log scale' "$T/chart" && grep -q -E 'gpt-4 +\|#+' "$T/chart"; then ok "--chart on a terminal"
    else fail "--chart on a terminal" "$(tail -n 5 "$T/chart")"; fi
else
    skip "--chart on a terminal" "script(1) cannot make a terminal here"
fi
