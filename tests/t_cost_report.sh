# t_cost_report.sh: examples/cost-report.sh prints the corrected scenario
# table and a local cost, and says where the local speed came from
# (measured by llm-infer --bench, given with --tps, or assumed). A stand-in
# llm-infer that prints a fixed #llm-stats line plays the measured case.
. "$TOP/tests/lib.sh"
R="$TOP/examples/cost-report.sh"

# A BIN folder with the real llm-cost and no llm-infer.
mkdir -p "$T/nobin" "$T/fakebin"
ln -s "$BIN/llm-cost" "$T/nobin/llm-cost"
ln -s "$BIN/llm-cost" "$T/fakebin/llm-cost"
cat >"$T/fakebin/llm-infer" <<'EOF'
#!/bin/sh
echo "bench: fake" >&2
echo "#llm-stats model=tinyllama-1.1b-q4_0.gguf threads=2 prompt_tokens=128 prompt_s=2 gen_tokens=64 gen_s=4 pp_tps=64 tg_tps=16 load_s=0.2 rss_bytes=1"
EOF
chmod +x "$T/fakebin/llm-infer"
: >"$T/tinyllama-1.1b-q4_0.gguf"

BIN="$T/nobin" sh "$R" >"$T/a.out" 2>"$T/a.err"; rc=$?
same "report runs without llm-infer" "$rc" 0
if grep -q -E '^ *100 +300 +30,000 +gpt-3\.5-turbo +0\.015 +0\.45$' "$T/a.out"; then ok "report: scenario row \$0.015/day \$0.45/month"
else fail "report: scenario row" "$(sed -n 5,8p "$T/a.out")"; fi
if grep -q -E '^10,000 +500 +5,000,000 +gpt-4 +150\.00 +4,500$' "$T/a.out"; then ok "report: last scenario row"
else fail "report: last scenario row" "$(grep '^10,000' "$T/a.out" | head -n 9 | tail -n 1)"; fi
if grep -q 'local speed ASSUMED, not measured (build/bin/llm-infer not built)' "$T/a.out"; then ok "report says the speed is assumed"
else fail "report says the speed is assumed" "$(grep 'local speed' "$T/a.out")"; fi

BIN="$T/nobin" sh "$R" --tps 15 --prompt-tps 50 >"$T/b.out" 2>&1
if grep -q 'local speed from --tps 15 --prompt-tps 50 (given' "$T/b.out" &&
   grep -q 'prompt 50, generation 15 tokens/s from --tps and --prompt-tps' "$T/b.out"; then ok "report with --tps"
else fail "report with --tps" "$(grep 'local' "$T/b.out" | head -n 3)"; fi

BIN="$T/fakebin" sh "$R" --model "$T/tinyllama-1.1b-q4_0.gguf" --svg "$T/r.svg" >"$T/c.out" 2>"$T/c.err"; rc=$?
same "report with llm-infer runs" "$rc" 0
if grep -q 'local speed measured with llm-infer --bench on this machine: #llm-stats model=tinyllama' "$T/c.out" &&
   grep -q 'prompt 64, generation 16 tokens/s from #llm-stats in --stats file, model tinyllama-1.1b-q4_0.gguf' "$T/c.out"
then ok "report uses the bench's stats line"
else fail "report uses the bench's stats line" "$(grep 'local' "$T/c.out" | head -n 3)"; fi
# 10,000 users x 500 tokens with 64/16 tok/s: sigma = 0.5/64 + 0.5/16 =
# 0.0390625 s, a device makes 2,211,840 tokens/day, so ceil(2 x 5e6 /
# 2,211,840) = 5 devices.
if grep -q -E '^10,000 +500 +5,000,000 +gpt-4 +225\.00 +6,750 +.* 5$' "$T/c.out"; then ok "report: devices for 10,000 x 500"
else fail "report: devices for 10,000 x 500" "$(grep -E '^10,000 +500' "$T/c.out" | tail -n 1)"; fi
if [ -s "$T/r.svg" ] && grep -q 'data-series="local"' "$T/r.svg"; then ok "report --svg"; else fail "report --svg" "no chart"; fi
