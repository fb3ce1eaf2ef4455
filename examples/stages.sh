#!/bin/sh
# stages.sh: follow one prompt through the model, stage by stage, and check
# each stage's arithmetic by hand (with awk) on the tensors llm-infer dumps.
#   examples/stages.sh [PROMPT]
#   MODEL=any.gguf examples/stages.sh "Once upon a time"
# MODEL defaults to ../shared/models/stories260K.gguf, else a generated model
# with random weights (see default-model.sh). Read it beside llm(7).
# Layer 0 is shown; the other layers repeat the same steps with their own
# weights. Values are shown for the last position of the prompt, the one
# whose logits choose the next token.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${BIN:-$here/../build/bin}
M=${MODEL:-$("$here/default-model.sh")}
PROMPT=${1:-Once upon a time}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stages.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- helpers ---------------------------------------------------------------
# rec NAME POS: the values of one dumped record, on one line. A tensor stream
# is a header line "#llm-tensor 1 name=N dtype=f32 shape=S pos=P enc=text"
# followed by its values (see llm-formats(5)).
rec() {
    awk -v n=" name=$1 " -v p=" pos=$2 " '
        /^#llm-tensor/ { on = index($0 " ", n) && index($0 " ", p); next }
        on { printf "%s ", $0 }' "$tmp/dump"
}
# weight NAME: a weight tensor of the model file, dequantized to f32.
weight() { "$B/llm-inspect" --tensor "$1" "$M" | sed 1d | tr '\n' ' '; }
# head VALUES: the first 6 values, rounded, and how many there are.
head6() {
    awk -v v="$1" 'BEGIN { n = split(v, x, " ")
        for (i = 1; i <= 6 && i <= n; i++) printf "%8.4f ", x[i]
        printf "... (%d values)\n", n }'
}
# meta KEY: a number from the model's metadata (any architecture prefix).
meta() { "$B/llm-inspect" "$M" | awk -v k="$1" '$1 ~ ("\\." k "$") { print $3; exit }'; }

# ---- 0. the model's shape ---------------------------------------------------
d=$(meta embedding_length)          # width of the residual stream
nh=$(meta attention.head_count)     # query heads
nkv=$(meta attention.head_count_kv) # key/value heads (fewer: grouped-query)
nl=$(meta block_count)              # layers
ff=$(meta feed_forward_length)      # width inside the feed-forward
hs=$((d / nh))                      # size of one head
eps=$(meta attention.layer_norm_rms_epsilon)
echo "== 0. model: $M"
echo "   width d=$d, $nl layers, $nh query heads and $nkv key/value heads of size $hs, feed-forward $ff"

# ---- 1. tokenize ------------------------------------------------------------
# Text becomes token ids: integers that index the model's vocabulary.
echo; echo "== 1. tokenize: \"$PROMPT\" (id, piece)"
"$B/llm-tokenize" -m "$M" "$PROMPT" | tee "$tmp/prompt.tok" | sed -n '/^[0-9]/s/^/   /p'
P=$(grep -c '^[0-9]' "$tmp/prompt.tok")
last=$((P - 1))
id=$(grep '^[0-9]' "$tmp/prompt.tok" | tail -n 1 | cut -f1)
# Run the model once over the prompt and keep every intermediate tensor.
"$B/llm-infer" -m "$M" --dump '*' < "$tmp/prompt.tok" > "$tmp/dump"

# ---- 2. embed ---------------------------------------------------------------
# Each id picks one row of token_embd.weight: a vector of d numbers. That
# vector, the "residual stream", is what every layer reads and adds to.
echo; echo "== 2. embed: row $id of token_embd.weight is tok_embd at position $last"
x=$(rec tok_embd $last)
printf '   tok_embd         '; head6 "$x"
printf '   row %-5s        ' "$id"
"$B/llm-inspect" --tensor token_embd.weight "$M" | sed 1d | tr '\n' ' ' |
    awk -v id="$id" -v d="$d" '{ for (i = 1; i <= 6; i++) printf "%8.4f ", $(id * d + i); print "" }'

# ---- 3. attention -----------------------------------------------------------
echo; echo "== 3. attention (layer 0)"
# RMSNorm: divide the vector by its root mean square, times a learned weight.
n=$(rec blk.0.attn_norm $last)
printf '   attn_norm        '; head6 "$n"
awk -v x="$x" -v eps="$eps" -v w="$(weight blk.0.attn_norm.weight)" 'BEGIN {
    k = split(x, a, " "); split(w, g, " "); s = 0
    for (i = 1; i <= k; i++) s += a[i] * a[i]
    r = sqrt(s / k + eps); printf "   x/rms*w by hand  "
    for (i = 1; i <= 6; i++) printf "%8.4f ", a[i] / r * g[i]
    printf "  (rms of x = %.4f)\n", r }'
# Q, K, V: three matrix products of the normed vector. Q has a slice of hs
# numbers per query head, K and V one per key/value head. Q and K are then
# rotated by an angle that grows with the position (RoPE), so that q.k
# depends on how far apart two tokens are. The dump is after the rotation.
q=$(rec blk.0.attn_q $last)
printf '   attn_q           '; head6 "$q"
printf '   attn_k           '; head6 "$(rec blk.0.attn_k $last)"
printf '   attn_v           '; head6 "$(rec blk.0.attn_v $last)"
echo "   grouped-query attention: query heads 0..$((nh / nkv - 1)) share key/value head 0"
# Attention for query head 0 at the last position, by hand: the score of
# each earlier position j is q.k_j / sqrt(hs); softmax turns scores into
# weights that sum to 1; the output is the weighted sum of the v_j. The
# k_j and v_j of earlier positions are what the KV cache keeps.
ks='' vs=''
for j in $(seq 0 $last); do
    ks="$ks $(rec blk.0.attn_k $j | cut -d' ' -f1-$hs)"
    vs="$vs $(rec blk.0.attn_v $j | cut -d' ' -f1-$hs)"
done
awk -v q="$q" -v ks="$ks" -v vs="$vs" -v hs="$hs" -v P="$P" -v o="$(rec blk.0.kqv_out $last)" 'BEGIN {
    split(q, Q, " "); split(ks, K, " "); split(vs, V, " "); split(o, O, " "); m = -1e30
    for (j = 0; j < P; j++) { s[j] = 0
        for (i = 1; i <= hs; i++) s[j] += Q[i] * K[j * hs + i]
        s[j] /= sqrt(hs); if (s[j] > m) m = s[j] }
    z = 0; for (j = 0; j < P; j++) { p[j] = exp(s[j] - m); z += p[j] }
    printf "   head 0 weights over positions 0..%d: ", P - 1
    for (j = 0; j < P; j++) printf "%.3f ", p[j] / z
    printf "\n   sum w*v by hand   "
    for (i = 1; i <= 6 && i <= hs; i++) { y = 0
        for (j = 0; j < P; j++) y += p[j] / z * V[j * hs + i]
        printf "%8.4f ", y }
    printf "\n   kqv_out (head 0)  "
    for (i = 1; i <= 6 && i <= hs; i++) printf "%8.4f ", O[i]
    print "" }'
# attn_output.weight mixes the heads; the result is ADDED to the stream.
a=$(rec blk.0.attn_out $last)
printf '   attn_out         '; head6 "$a"
printf '   ffn_inp = x+out  '; head6 "$(rec blk.0.ffn_inp $last)"

# ---- 4. feed-forward (SwiGLU) -----------------------------------------------
# RMSNorm again, then two matrix products up to width ff (gate and up),
# silu(gate) * up elementwise, and one product back down to d.
echo; echo "== 4. feed-forward (layer 0), width $ff"
g=$(rec blk.0.ffn_gate $last) u=$(rec blk.0.ffn_up $last)
printf '   ffn_gate         '; head6 "$g"
printf '   ffn_up           '; head6 "$u"
printf '   ffn_act          '; head6 "$(rec blk.0.ffn_act $last)"
awk -v g="$g" -v u="$u" 'BEGIN { split(g, G, " "); split(u, U, " ")
    printf "   silu(g)*u by hand"
    for (i = 1; i <= 6; i++) printf "%8.4f ", G[i] / (1 + exp(-G[i])) * U[i]
    print "" }'
printf '   ffn_out          '; head6 "$(rec blk.0.ffn_out $last)"
printf '   l_out = inp+out  '; head6 "$(rec blk.0.l_out $last)"
echo "   ... layers 1..$((nl - 1)) do the same with their own weights"

# ---- 5. logits --------------------------------------------------------------
# A last RMSNorm, then output.weight gives one score (logit) per vocabulary
# entry. Softmax turns them into probabilities.
echo; echo "== 5. logits: the 5 most likely next tokens (id, logit, p, piece)"
rec logits $last | awk '{ m = -1e30; for (i = 1; i <= NF; i++) if ($i > m) m = $i
    z = 0; for (i = 1; i <= NF; i++) z += exp($i - m)
    for (i = 1; i <= NF; i++) printf "%d %.4f %.4f\n", i - 1, $i, exp($i - m) / z }' |
    sort -k2,2 -g -r | head -n 5 > "$tmp/top"
while read -r tid logit p; do
    printf '   %-6s %9s  %s  "%s"\n' "$tid" "$logit" "$p" "$(echo "$tid" | "$B/llm-tokenize" -m "$M" -d)"
done < "$tmp/top"

# ---- 6. sample --------------------------------------------------------------
# llm-sample picks one token from the logits: greedy takes the most likely,
# a temperature above 0 draws at random (seeded: the same seed, the same draw).
# By default top-k, top-p and min-p first drop the unlikely tokens; here they
# are off, so any token can be drawn with its probability.
echo; echo "== 6. sample"
"$B/llm-infer" -m "$M" --logits < "$tmp/prompt.tok" > "$tmp/logits"
printf '   greedy:               '
"$B/llm-sample" -m "$M" --temp 0 "$tmp/logits" | grep '^[0-9]'
for seed in 1 2 3; do
    printf '   --temp 1 --seed %s:    ' $seed
    "$B/llm-sample" -m "$M" --temp 1 --top-k 0 --top-p 1 --min-p 0 --seed $seed --probs=3 "$tmp/logits" | grep '^[0-9]'
done
echo "   (the sampled id is appended to the prompt and the model runs again: see loop.sh)"
