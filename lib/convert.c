/* convert.c: what the converters share: the owner of their mappings and
 * buffers. */
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cmap { void *p; size_t len; } cmap;

struct llm_convert {
    void **keep;
    size_t n_keep, cap_keep;
    cmap *maps;
    size_t n_maps, cap_maps;
};

llm_convert *llm_convert_new(void)
{
    return calloc(1, sizeof(llm_convert));
}

void *llm_convert_keep(llm_convert *c, void *p)
{
    if (!p) return NULL;
    if (c->n_keep == c->cap_keep) {
        size_t cap = c->cap_keep ? 2 * c->cap_keep : 64;
        void **k = realloc(c->keep, cap * sizeof *k);
        if (!k) { free(p); return NULL; }
        c->keep = k;
        c->cap_keep = cap;
    }
    c->keep[c->n_keep++] = p;
    return p;
}

const void *llm_convert_map(llm_convert *c, const char *path, size_t *len, llm_err *e)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) { llm_fail(e, "%s: %s", path, strerror(errno)); return NULL; }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        llm_fail(e, "%s: not a regular file", path);
        return NULL;
    }
    *len = (size_t)st.st_size;
    if (*len == 0) { close(fd); llm_fail(e, "%s: empty file", path); return NULL; }
    void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) { llm_fail(e, "%s: cannot map: %s", path, strerror(errno)); return NULL; }
    if (c->n_maps == c->cap_maps) {
        size_t cap = c->cap_maps ? 2 * c->cap_maps : 8;
        cmap *m = realloc(c->maps, cap * sizeof *m);
        if (!m) { munmap(p, *len); llm_fail(e, "out of memory"); return NULL; }
        c->maps = m;
        c->cap_maps = cap;
    }
    c->maps[c->n_maps++] = (cmap){ p, *len };
    return p;
}

void llm_convert_free(llm_convert *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_keep; i++) free(c->keep[i]);
    for (size_t i = 0; i < c->n_maps; i++) munmap(c->maps[i].p, c->maps[i].len);
    free(c->keep);
    free(c->maps);
    free(c);
}
