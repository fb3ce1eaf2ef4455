/* files.h: for harnesses whose reader takes paths, not bytes: a private
 * scratch folder (in /dev/shm when there is one: no disk traffic), removed
 * at exit, and a helper writing bytes to a file in it. */
#ifndef FUZZ_FILES_H
#define FUZZ_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fz_dir[256];

/* Remove every file of the scratch folder, then the folder. */
static inline void fz_cleanup(void)
{
    DIR *d = opendir(fz_dir);
    if (d) {
        struct dirent *de;
        char p[512];
        while ((de = readdir(d)))
            if (de->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", fz_dir, de->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(fz_dir);
}

/* The scratch folder, made on the first call; aborts if it cannot be. */
static inline const char *fz_scratch(void)
{
    if (fz_dir[0]) return fz_dir;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(fz_dir, sizeof fz_dir, "%s/llm-fuzz.XXXXXX", base);
    if (!mkdtemp(fz_dir)) { perror("mkdtemp"); abort(); }
    atexit(fz_cleanup);
    return fz_dir;
}

/* Write data[0..n) to NAME in the scratch folder (n == (size_t)-1: remove
 * it instead); the full path goes to path. */
static inline void fz_put(const char *name, const void *data, size_t n, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fz_scratch(), name);
    if (n == (size_t)-1) { unlink(path); return; }
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); abort(); }
    if (n && fwrite(data, 1, n, f) != n) { perror(path); abort(); }
    if (fclose(f)) { perror(path); abort(); }
}

#endif
