#!/usr/bin/env python3
"""make-seeds.py: write the seed corpora of fuzz_json, fuzz_tokenizer,
fuzz_tokjson, fuzz_safetensors and fuzz_llama2c into tests/fuzz/seeds/
(small valid inputs and near misses; each under 30 KB). Run from the repo
root: python3 tests/fuzz/make-seeds.py [MODELS]. With MODELS holding
qwen3-tokenizer.json, one seed is a cut-down Qwen3 tokenizer."""
import json, os, struct, sys

SEEDS = "tests/fuzz/seeds"
MODELS = sys.argv[1] if len(sys.argv) > 1 else "../shared/models"


def put(name, sub, data):
    d = os.path.join(SEEDS, sub)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 30000, (name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def byte_chars():
    """GPT-2's bytes_to_unicode: printable spelling of every byte."""
    keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    out, n = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + n)
            n += 1
    return out


def bpe_tokenizer(pairs=False, pre=None):
    """The synthetic byte-level BPE tokenizer of vocabs.h (same ids)."""
    bc = byte_chars()
    vocab = {bc[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("Ġ", "Ġ"), ("Ã", "©")]
    for i, (a, b) in enumerate(merges):
        vocab[a + b] = 256 + i
    return {
        "version": "1.0",
        "added_tokens": [
            {"id": 264, "content": "<|endoftext|>", "special": True},
            {"id": 265, "content": "<tool>", "special": False},
        ],
        "pre_tokenizer": pre or {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
        "model": {"type": "BPE", "vocab": vocab,
                  "merges": [[a, b] for a, b in merges] if pairs else ["%s %s" % m for m in merges]},
    }


QWEN_RE = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
           "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
LLAMA3_RE = QWEN_RE.replace("\\p{N}|", "\\p{N}{1,3}|")


def js(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


# ---- json ------------------------------------------------------------
put("object.json", "json", '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\ud83e\\udd99\\n"], "b": {"c": {}}, "id": 7}')
put("deep.json", "json", "[" * 40 + "]" * 40)
put("numbers.json", "json", "[0, -0, 1e308, 9223372036854775807, 9223372036854775808, -9223372036854775808, 1.5E-7]")
put("strings.json", "json", '["\\"\\\\\\/\\b\\f\\n\\r\\t", "\\u0000", "\\uD800\\uDC00", "日本語", ""]')
put("config.json", "json", js({"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16,
                               "num_hidden_layers": 1, "num_attention_heads": 2, "rope_scaling": {"type": "linear", "factor": 2.0}}))
put("header.json", "json", js({"__metadata__": {"format": "pt"}, "model.norm.weight": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}}))
put("tokenizer.json", "json", js(bpe_tokenizer()))
put("bad-surrogate.json", "json", '["\\ud800x"]')
put("trailing.json", "json", '{"a":1} x')

# ---- tokenizer: byte 0 = mode and flags, byte 1 = vocabulary (fuzz_tokenizer.c)
texts = ["Hello world", " the cat, the hat\n\n  日本語 🦙 é", "<s>a</s><|endoftext|><|im_start|>user\n<tool>",
         "\xe2\x96\x81x \t\r\n1234567 'll 'S", "caf\xc3\xa9 \xff\xfe broken \xe2\x82"]
for v in range(5):
    for i, t in enumerate(texts):
        b = t.encode("latin-1" if i >= 3 else "utf-8")
        put("enc-v%d-%d" % (v, i), "tokenizer", bytes([0, v]) + b)
        put("enc-v%d-%d-f" % (v, i), "tokenizer", bytes([(i & 3) | (i << 2 & 0x3C), v]) + b)
    ids = [1, 5, 259, 260, 270, 0, 2, 300, 264, 265, 100000, 151643]
    put("dec-v%d" % v, "tokenizer", bytes([0x40, v]) + b"".join(struct.pack("<I", x + 8) for x in ids))

# ---- tokjson: tokenizer.json [NUL tokenizer_config.json] ---------------
put("bpe.json", "tokjson", js(bpe_tokenizer()))
put("bpe-pairs.json", "tokjson", js(bpe_tokenizer(pairs=True)))
put("qwen2-pre.json", "tokjson", js(bpe_tokenizer(pre={"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": QWEN_RE}, "behavior": "Isolated", "invert": False},
    {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]})))
t = bpe_tokenizer(pre={"type": "Split", "pattern": {"Regex": LLAMA3_RE}})
t["post_processor"] = {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>"}}, {"Sequence": {"id": "A"}}]}
put("llama3-cfg.json", "tokjson", js(t) + "\0" + js({"bos_token": {"content": "<|endoftext|>"}, "eos_token": "<tool>",
    "add_bos_token": True, "add_eos_token": True, "add_prefix_space": False,
    "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}"}))
put("cfg-array.json", "tokjson", js(bpe_tokenizer()) + "\0" + js({"chat_template": [{"name": "default", "template": "x"}],
    "bos_token": None, "eos_token": "<|endoftext|>"}))
q = os.path.join(MODELS, "qwen3-tokenizer.json")
if os.path.exists(q):
    d = json.load(open(q))
    keep = {k: v for k, v in d["model"]["vocab"].items() if v < 400}
    merges = [m for m in d["model"]["merges"] if m[0] in keep and m[1] in keep and m[0] + m[1] in keep][:200]
    d["model"]["vocab"] = keep
    d["model"]["merges"] = merges
    d["added_tokens"] = [dict(a, id=400 + i) for i, a in enumerate(d["added_tokens"][:6])]
    put("qwen3-cut.json", "tokjson", js(d) + "\0" + js({"eos_token": "<|im_end|>", "add_bos_token": False,
        "tokenizer_class": "Qwen2Tokenizer"}))

# ---- safetensors: config.json NUL model.safetensors --------------------
def safetensors(tensors, dtype="F16"):
    """tensors: list of (name, shape); values are small ramps."""
    hdr, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, shape in tensors:
        n = 1
        for s in shape:
            n *= s
        if dtype == "F32":
            blob = struct.pack("<%df" % n, *[(i % 7) * 0.125 - 0.375 for i in range(n)])
        else:
            blob = struct.pack("<%dH" % n, *[0x3C00 ^ (i & 0x83FF) if dtype == "F16" else 0x3F80 ^ (i & 0x807F) for i in range(n)])
        hdr[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = js(hdr).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def hf_model(arch="LlamaForCausalLM", dim=8, ff=16, layers=1, heads=2, kv=2, vocab=266, bias=False, tied=True, dtype="F16"):
    cfg = {"architectures": [arch], "hidden_size": dim, "intermediate_size": ff, "num_hidden_layers": layers,
           "num_attention_heads": heads, "num_key_value_heads": kv, "vocab_size": vocab, "rms_norm_eps": 1e-5,
           "rope_theta": 10000.0, "max_position_embeddings": 64, "tie_word_embeddings": tied}
    hd = dim // heads
    ts = [("model.embed_tokens.weight", [vocab, dim]), ("model.norm.weight", [dim])]
    if not tied:
        ts.append(("lm_head.weight", [vocab, dim]))
    for l in range(layers):
        p = "model.layers.%d." % l
        ts += [(p + "input_layernorm.weight", [dim]), (p + "post_attention_layernorm.weight", [dim]),
               (p + "self_attn.q_proj.weight", [heads * hd, dim]), (p + "self_attn.k_proj.weight", [kv * hd, dim]),
               (p + "self_attn.v_proj.weight", [kv * hd, dim]), (p + "self_attn.o_proj.weight", [dim, heads * hd]),
               (p + "mlp.gate_proj.weight", [ff, dim]), (p + "mlp.up_proj.weight", [ff, dim]),
               (p + "mlp.down_proj.weight", [dim, ff])]
        if bias:
            ts += [(p + "self_attn.q_proj.bias", [heads * hd]), (p + "self_attn.k_proj.bias", [kv * hd]),
                   (p + "self_attn.v_proj.bias", [kv * hd])]
    return js(cfg).encode() + b"\0" + safetensors(ts, dtype)


put("llama-f16", "safetensors", hf_model())
put("llama-gqa-bf16", "safetensors", hf_model(heads=4, kv=2, dtype="BF16", tied=False, vocab=266))
put("qwen2-bias-f32", "safetensors", hf_model(arch="Qwen2ForCausalLM", bias=True, dtype="F32", vocab=266, dim=4, ff=8))
put("llama-2layer", "safetensors", hf_model(layers=2, dim=4, ff=4))

# ---- llama2c: u32 model length, model.bin, tokenizer.bin ----------------
def l2c_tokenizer(n):
    out = struct.pack("<i", 8)
    for i in range(n):
        s = b"<unk>" if i == 0 else b"\n<s>\n" if i == 1 else b"\n</s>\n" if i == 2 else \
            b"<0x%02X>" % (i - 3) if i < 9 else bytes([32 + (i % 90)]) * (1 + i % 3) + (b" " if i % 5 == 0 else b"")
        out += struct.pack("<fi", -float(i), len(s)) + s
    return out


def l2c_model(version=0, dim=8, hidden=16, layers=1, heads=2, kv=2, vocab=32, seq=4, shared=True, group=4):
    hd = dim // heads
    kvd = dim * kv // heads
    norms = [dim * layers, dim * layers, dim]                 # att, ffn, final
    mats = [vocab * dim, dim * dim * layers, dim * kvd * layers, dim * kvd * layers, dim * dim * layers,
            hidden * dim * layers, hidden * dim * layers, hidden * dim * layers]
    if not shared:
        mats.append(vocab * dim)
    f = lambda n: struct.pack("<%df" % n, *[((i * 37) % 11 - 5) * 0.01 for i in range(n)])
    if version == 0:
        h = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
        body = f(vocab * dim) + f(dim * layers) + f(dim * dim * layers) + f(dim * kvd * layers) * 2 + \
            f(dim * dim * layers) + f(dim * layers) + f(hidden * dim * layers) * 3 + f(dim) + f(seq * hd) + \
            (b"" if shared else f(vocab * dim))
        return h + body
    h = struct.pack("<Ii7iB", 0x616b3432, version, dim, hidden, layers, heads, kv, vocab, seq, 1 if shared else 0)
    if version == 2:
        h += struct.pack("<i", group)
    h += b"\0" * (256 - len(h))
    if version == 1:
        return h + b"".join(f(n) for n in norms) + b"".join(f(n) for n in mats)
    q = lambda n: bytes(((i * 13) % 256) for i in range(n))
    return h + b"".join(f(n) for n in norms) + b"".join(q(n) for n in mats) + b"".join(f(n // group) for n in mats)


def l2c(model, tok):
    return struct.pack("<I", len(model)) + model + tok


tok32 = l2c_tokenizer(32)
put("v0-shared", "llama2c", l2c(l2c_model(), tok32))
put("v0-classifier", "llama2c", l2c(l2c_model(shared=False, heads=4, kv=2), tok32))
put("v1", "llama2c", l2c(l2c_model(version=1), tok32))
put("v2-int8", "llama2c", l2c(l2c_model(version=2, shared=False), tok32))
put("v0-2layers", "llama2c", l2c(l2c_model(layers=2, dim=4, hidden=4, heads=1, kv=1), tok32))
t512 = os.path.join(MODELS, "tok512.bin")
if os.path.exists(t512):
    put("v0-tok512", "llama2c", l2c(l2c_model(vocab=512, dim=4, hidden=4, heads=1, kv=1), open(t512, "rb").read()))

# ---- tokjson with a SentencePiece tokenizer.model (after a second NUL) --
def pb_varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def pb_field(num, wt, payload):
    key = pb_varint(num << 3 | wt)
    return key + (pb_varint(len(payload)) + payload if wt == 2 else payload)


def spm_model():
    pieces = [("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3)] + \
        [("<0x%02X>" % b, 0.0, 6) for b in range(8)] + \
        [(p, -float(i), 1) for i, p in enumerate(["▁", "e", "t", "▁t", "he", "▁the", "a", "<mask>"])]
    out = b""
    for p, s, t in pieces:
        out += pb_field(1, 2, pb_field(1, 2, p.encode()) + pb_field(2, 5, struct.pack("<f", s)) + pb_field(3, 0, pb_varint(t)))
    return out + pb_field(2, 2, pb_field(1, 2, b"x"))   # a trainer_spec to skip


put("spm-model.json", "tokjson", js(bpe_tokenizer()).encode() + b"\0" +
    js({"add_bos_token": True, "bos_token": "<s>"}).encode() + b"\0" + spm_model())

# ---- chat: byte 0 = family, then a conversation (or a template) ---------
conv = "system: You are helpful.\nuser: Hello\nthere\nassistant: Hi!\nuser: What is 2+2?\n"
for f in range(4):
    put("conv-%d" % f, "chat", bytes([f]) + conv.encode())
put("tmpl-chatml", "chat", b"\0{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}")
put("tmpl-llama2", "chat", b"\2{% if messages[0]['role'] == 'system' %}[INST] <<SYS>>\n{{ content }}\n<</SYS>>\n\n{% endif %} [/INST]")
put("tmpl-zephyr", "chat", b"\1{% for message in messages %}<|user|>\n{{ message['content'] + eos_token }}{% endfor %}<|assistant|>")
put("odd-lines", "chat", b"\3\n\nuser:\nassistant:user: x\r\n: y\nsystem:" + bytes(range(1, 32)))
