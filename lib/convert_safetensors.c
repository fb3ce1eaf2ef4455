/* convert_safetensors.c: Hugging Face folders (config.json, *.safetensors,
 * tokenizer.json) to GGUF. Work in progress: not implemented yet. */
#include "convert.h"

llm_convert *llm_convert_safetensors(const char *dir, gguf_writer *w, llm_qsrc *src, llm_err *e)
{
    (void)w; (void)src;
    llm_fail(e, "%s: --from safetensors is not implemented yet", dir);
    return NULL;
}

llm_convert *llm_convert_vocab(const char *path, gguf_writer *w, llm_err *e)
{
    (void)w;
    llm_fail(e, "%s: --from vocab is not implemented yet", path);
    return NULL;
}
