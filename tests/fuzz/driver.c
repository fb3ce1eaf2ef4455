/* driver.c: run a fuzz harness (LLVMFuzzerTestOneInput) over its seed
 * corpus and its saved crash inputs, without libFuzzer, so the regression
 * inputs run in every `make test` and `make asan`. Prints one "ok" line
 * (or dies: a crash or sanitizer report fails the test).
 *   test_fuzz_NAME [FILE|DIR ...]   default: tests/fuzz/{seeds,regress}/NAME */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *p = realloc(buf, cap);
            if (!p) { free(buf); fclose(f); return 0; }
            buf = p;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (!k) break;
        n += k;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    DIR *d = opendir(path);
    if (!d) return 0;
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, de->d_name);
        count += run_path(p);
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    int count = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) count += run_path(argv[i]);
    } else {
        const char *top = getenv("TOP");
        char p[4096];
        snprintf(p, sizeof p, "%s/tests/fuzz/seeds/%s", top ? top : ".", FUZZ_NAME);
        count += run_path(p);
        snprintf(p, sizeof p, "%s/tests/fuzz/regress/%s", top ? top : ".", FUZZ_NAME);
        count += run_path(p);
    }
    if (count == 0) {
        printf("FAIL fuzz %s: no seed or regression inputs found\n", FUZZ_NAME);
        return 1;
    }
    printf("ok fuzz %s: %d saved inputs ran clean\n", FUZZ_NAME, count);
    return 0;
}
