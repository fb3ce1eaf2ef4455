#!/bin/sh
# make-chat.sh: chat-template goldens: the Qwen3 chat template (Jinja, from
# ../shared/models/qwen3-tokenizer_config.json) rendered by Python's jinja2
# for the conversations in tests/golden/chat/*.conv (lines "role: text"),
# with add_generation_prompt. Written as tests/golden/chat/NAME.chatml.
# Checked by tests/t_tokenize.sh (llm-tokenize --chat must give the
# ids of the rendered text). The conversations end with a user message:
# Qwen3 adds <think> blocks to assistant turns after the last user message,
# which plain ChatML does not.
#
#   sh tests/golden/make-chat.sh
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MODELS=${MODELS:-$TOP/../shared/models}
python3 - "$MODELS/qwen3-tokenizer_config.json" "$TOP"/tests/golden/chat/*.conv <<'PY'
import json, sys
import jinja2
cfg = json.load(open(sys.argv[1]))
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
tmpl = env.from_string(cfg["chat_template"])
for path in sys.argv[2:]:
    msgs = []
    for line in open(path, encoding="utf-8").read().split("\n"):
        for role in ("system", "user", "assistant"):
            if line.startswith(role + ":"):
                text = line[len(role) + 1:]
                msgs.append({"role": role, "content": text[1:] if text.startswith(" ") else text})
                break
        else:
            if msgs:
                msgs[-1]["content"] += "\n" + line
    for m in msgs:
        m["content"] = m["content"].rstrip("\n")
    out = tmpl.render(messages=msgs, add_generation_prompt=msgs[-1]["role"] != "assistant")
    with open(path[:-5] + ".chatml", "w", encoding="utf-8", newline="") as f:
        f.write(out)
PY
