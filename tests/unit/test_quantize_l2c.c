/* test_quantize_l2c.c: the llama2.c converter on checkpoint variants made
 * here from stories260K.bin: a legacy file with a separate classifier
 * (negative vocab_size), and a version-2 file (int8 with group scales, as
 * llama2.c's export.py writes it). Each converts to the tensors the
 * variant stands for. (The legacy and version-1 files are checked against
 * stories260K.gguf by tests/t_quantize.sh.) */
#include "t.h"
#include "convert.h"
#include "dtype.h"
#include "gguf.h"
#include "quantize.h"

#include <stdint.h>
#include <unistd.h>

enum { D = 64, HID = 172, L = 5, KV = 32, V = 512, SEQ = 512, HS = 8 };

static float *bin;      /* stories260K.bin's floats after the 7-int header */
static size_t nbin;
static char tmp[256], tok[512];

/* Offsets (in floats) of the legacy layout's parts. */
enum { O_EMB = 0, O_ATT = O_EMB + V * D, O_WQ = O_ATT + L * D, O_WK = O_WQ + L * D * D,
       O_WV = O_WK + L * D * KV, O_WO = O_WV + L * D * KV, O_FFN = O_WO + L * D * D,
       O_W1 = O_FFN + L * D, O_W2 = O_W1 + L * HID * D, O_W3 = O_W2 + L * HID * D,
       O_FIN = O_W3 + L * HID * D, O_END = O_FIN + D + SEQ * HS };

/* Convert MODEL with tok512.bin; returns the source (tensors F32) or NULL. */
static llm_convert *convert(const char *model, llm_qsrc *src, gguf_writer **w, llm_err *e)
{
    *w = gguf_writer_new();
    return llm_convert_llama2c(model, tok, 0, *w, src, e);
}

static const llm_qsrc_tensor *find(const llm_qsrc *s, const char *name)
{
    for (uint64_t i = 0; i < s->n_tensors; i++)
        if (!strcmp(s->tensors[i].name, name)) return &s->tensors[i];
    return NULL;
}

static float val(const llm_qsrc_tensor *t, int64_t i)
{
    float f;
    memcpy(&f, (const char *)t->data + 4 * i, 4);
    return f;
}

static void test_unshared(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/unshared.bin", tmp);
    FILE *fp = fopen(path, "wb");
    int32_t hdr[7] = { D, HID, L, 8, 4, -V, SEQ };
    fwrite(hdr, 4, 7, fp);
    fwrite(bin, 4, O_END, fp);
    for (int i = 0; i < V * D; i++) { float x = 2 * bin[O_EMB + i]; fwrite(&x, 4, 1, fp); }
    fclose(fp);
    llm_qsrc s;
    gguf_writer *w;
    llm_err e;
    llm_convert *cv = convert(path, &s, &w, &e);
    if (!cv) { T_FAIL("legacy, separate classifier", "%s", e.msg); gguf_writer_free(w); return; }
    const llm_qsrc_tensor *o = find(&s, "output.weight"), *te = find(&s, "token_embd.weight");
    int bad = !o || !te;
    for (int i = 0; !bad && i < V * D; i += 37) bad = val(o, i) != 2 * val(te, i);
    T_CHECK("legacy, separate classifier: output.weight is the classifier", !bad, "differs");
    llm_convert_free(cv);
    gguf_writer_free(w);

    /* one byte short of the classifier: truncated */
    if (truncate(path, (off_t)(28 + 4 * ((size_t)O_END + V * D) - 1)) != 0) T_FAIL("truncate", "failed");
    w = gguf_writer_new();
    cv = llm_convert_llama2c(path, tok, 0, w, &s, &e);
    T_CHECK("legacy, classifier cut short", !cv && strstr(e.msg, "truncated"), "%s", cv ? "accepted" : e.msg);
    llm_convert_free(cv);
    gguf_writer_free(w);
}

/* export.py's version 2: w = q * scale per group of 64 values. */
static void test_v2(void)
{
    const int G = 64;
    char path[300];
    snprintf(path, sizeof path, "%s/v2.bin", tmp);
    FILE *fp = fopen(path, "wb");
    uint8_t h[256] = { 0 };
    uint32_t magic = 0x616b3432;
    int32_t ver = 2, p[7] = { D, HID, L, 8, 4, V, SEQ };
    memcpy(h, &magic, 4);
    memcpy(h + 4, &ver, 4);
    memcpy(h + 8, p, 28);
    h[36] = 1;
    memcpy(h + 37, &G, 4);
    fwrite(h, 1, 256, fp);
    fwrite(bin + O_ATT, 4, L * D, fp);
    fwrite(bin + O_FFN, 4, L * D, fp);
    fwrite(bin + O_FIN, 4, D, fp);
    static const int parts[][2] = { { O_EMB, V * D }, { O_WQ, L * D * D }, { O_WK, L * D * KV }, { O_WV, L * D * KV },
                                    { O_WO, L * D * D }, { O_W1, L * HID * D }, { O_W2, L * HID * D }, { O_W3, L * HID * D } };
    size_t total = 0;
    for (int k = 0; k < 8; k++) total += (size_t)parts[k][1];
    float *scales = malloc(total / G * sizeof *scales), *deq = malloc(total * sizeof *deq);
    size_t at = 0;
    for (int k = 0; k < 8; k++) {
        for (int g = 0; g < parts[k][1] / G; g++) {
            const float *x = bin + parts[k][0] + g * G;
            float mx = 0;
            for (int i = 0; i < G; i++) mx = fabsf(x[i]) > mx ? fabsf(x[i]) : mx;
            float sc = mx / 127.0f;
            scales[at / G] = sc;
            for (int i = 0; i < G; i++) {
                int8_t q = (int8_t)lrintf(sc > 0 ? x[i] / sc : 0);
                fwrite(&q, 1, 1, fp);
                deq[at + (size_t)i] = q * sc;
            }
            at += (size_t)G;
        }
    }
    fwrite(scales, 4, total / G, fp);
    fclose(fp);
    llm_qsrc s;
    gguf_writer *w;
    llm_err e;
    llm_convert *cv = convert(path, &s, &w, &e);
    if (!cv) { T_FAIL("version 2", "%s", e.msg); gguf_writer_free(w); free(scales); free(deq); return; }
    /* blk.3.ffn_down.weight is part 6 (w2), layer 3 */
    size_t off = 0;
    for (int k = 0; k < 6; k++) off += (size_t)parts[k][1];
    off += (size_t)3 * HID * D;
    const llm_qsrc_tensor *t = find(&s, "blk.3.ffn_down.weight"), *n = find(&s, "blk.4.ffn_norm.weight");
    int bad = !t || !n || t->ne[0] != HID || t->ne[1] != D;
    for (int i = 0; !bad && i < HID * D; i++) bad = val(t, i) != deq[off + (size_t)i];
    T_CHECK("version 2: matrices are q * scale", !bad, "differs");
    T_CHECK("version 2: norms are the float32 ones", n && val(n, 5) == bin[O_FFN + 4 * D + 5], "differs");
    const llm_qsrc_tensor *o = find(&s, "output.weight"), *te = find(&s, "token_embd.weight");
    T_CHECK("version 2: shared classifier", o && te && o->data == te->data, "not shared");
    llm_convert_free(cv);
    gguf_writer_free(w);
    free(scales);
    free(deq);

    /* a group size that does not divide dim */
    fp = fopen(path, "r+b");
    int32_t g7 = 7;
    fseek(fp, 37, SEEK_SET);
    fwrite(&g7, 4, 1, fp);
    fclose(fp);
    w = gguf_writer_new();
    cv = llm_convert_llama2c(path, tok, 0, w, &s, &e);
    T_CHECK("version 2: bad group size", !cv && strstr(e.msg, "group size 7"), "%s", cv ? "accepted" : e.msg);
    llm_convert_free(cv);
    gguf_writer_free(w);
}

int main(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/stories260K.bin", t_models());
    snprintf(tok, sizeof tok, "%s/tok512.bin", t_models());
    FILE *fp = fopen(path, "rb");
    if (!fp || access(tok, R_OK)) {
        T_SKIP("llama2c variants", "%s or tok512.bin not found (../shared/models missing)", path);
        if (fp) fclose(fp);
        return t_exit();
    }
    bin = malloc((size_t)O_END * 4);
    fseek(fp, 28, SEEK_SET);
    nbin = fread(bin, 4, O_END, fp);
    fclose(fp);
    if (nbin != (size_t)O_END) { T_FAIL("read stories260K.bin", "short"); return t_exit(); }
    snprintf(tmp, sizeof tmp, "%s/tl2c.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
    if (!mkdtemp(tmp)) { T_FAIL("tmpdir", "mkdtemp"); return t_exit(); }
    test_unshared();
    test_v2();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) T_FAIL("cleanup", "%s", cmd);
    free(bin);
    return t_exit();
}
