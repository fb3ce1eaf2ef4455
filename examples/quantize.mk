# examples/quantize.mk: one model to several types, with a table of file
# size, bits per weight, quantization error (llm-quantize --report: RMSE of
# all converted weights relative to their RMS) and perplexity (llm-infer) on
# a text, to choose a type.
#
#   make -f examples/quantize.mk                       # stories260K, its own story
#   make -f examples/quantize.mk MODEL=model-f16.gguf TEXT=wiki.txt TYPES="Q8_0 Q4_K_M"
#
# Files go to $(OUT); the table is $(OUT)/table.md. Run from the repository root.
# stories260K has rows of 64 and 172 values, so its K mixes mostly fall back
# to Q5_0/Q8_0/F16 (Q6_K equals Q8_0 there); a real F16 model shows them.
BIN   ?= build/bin
MODEL ?= ../shared/models/stories260K.gguf
TEXT  ?= ../shared/models/stories260K.greedy256.txt
TYPES ?= F16 Q8_0 Q6_K Q5_K_M Q5_0 Q4_K_M Q4_0 Q3_K_M Q2_K
OUT   ?= build/quantize-example
THREADS ?= 2
NAME  := $(basename $(notdir $(MODEL)))

table: $(OUT)/table.md
	@cat $<

$(OUT)/text.tokens: $(TEXT) $(MODEL)
	@mkdir -p $(OUT)
	$(BIN)/llm-tokenize -m $(MODEL) -f $(TEXT) > $@

# quantized model and its error report (one rule, two files)
$(OUT)/$(NAME)-%.gguf $(OUT)/$(NAME)-%.report: $(MODEL)
	@mkdir -p $(OUT)
	$(BIN)/llm-quantize -q -t $(THREADS) --report $(MODEL) $(OUT)/$(NAME)-$*.gguf $* > $(OUT)/$(NAME)-$*.report

$(OUT)/$(NAME)-%.ppl: $(OUT)/$(NAME)-%.gguf $(OUT)/text.tokens
	$(BIN)/llm-infer -m $< -t $(THREADS) --perplexity < $(OUT)/text.tokens | awk '/^PPL/ { print $$2 }' > $@

$(OUT)/base.ppl: $(MODEL) $(OUT)/text.tokens
	$(BIN)/llm-infer -m $(MODEL) -t $(THREADS) --perplexity < $(OUT)/text.tokens | awk '/^PPL/ { print $$2 }' > $@

$(OUT)/table.md: $(OUT)/base.ppl $(foreach t,$(TYPES),$(OUT)/$(NAME)-$(t).report $(OUT)/$(NAME)-$(t).ppl)
	@{ echo "| type | MiB | bits/weight | RMSE/RMS | perplexity |"; \
	   echo "|---|---|---|---|---|"; \
	   printf '| %s | %.2f | - | - | %s |\n' "$(NAME)" "$$(wc -c < $(MODEL) | awk '{ print $$1 / 1048576 }')" "$$(cat $(OUT)/base.ppl)"; \
	   for t in $(TYPES); do \
	     mib=$$(wc -c < $(OUT)/$(NAME)-$$t.gguf | awk '{ print $$1 / 1048576 }'); \
	     awk -v t=$$t -v mib=$$mib -v ppl="$$(cat $(OUT)/$(NAME)-$$t.ppl)" \
	       '$$1 == "total" { printf "| %s | %.2f | %.3f | %.5f | %s |\n", t, mib, $$5, $$6, ppl }' $(OUT)/$(NAME)-$$t.report; \
	   done; } > $@

clean:
	rm -rf $(OUT)

.PHONY: table clean
.SECONDARY:
