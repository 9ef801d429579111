/* A plain C meet-in-the-middle (Horowitz-Sahni) subset-sum solver: the
 * reference that `eslt bench subset-sum --threads 1` is compared with (not
 * built by cargo; see compare_mitm.py beside it).
 *
 *   cc -O2 -o mitm_reference mitm_reference.c
 *   ./mitm_reference gen N COUNT SEED > inst.json   (u*v candidates, t in (-1,1))
 *   ./mitm_reference solve inst.json                 (one line of JSON)
 *
 * Each half's subset sums are built sorted by merging L and L + c (no sort),
 * then one two-pointer sweep finds min |a + b - t| (ties: fewer elements,
 * then the smaller mask). Halves: the first n/2 candidates and the rest,
 * each summed left to right, as eslt does, so the answers can be compared
 * (masks_fnv1a). Timing covers solving only (not parsing): wall and process
 * CPU time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

typedef struct { double s; uint32_t m; } item;

static item *buf_a, *buf_b, *tmp;

static void build(const double *c, int k, item *out) {
    int len = 1;
    out[0].s = 0.0; out[0].m = 0;
    for (int j = 0; j < k; j++) {
        int i = 0, l = 0, o = 0;
        while (i < len && l < len) {
            double y = out[l].s + c[j];
            if (out[i].s <= y) tmp[o++] = out[i++];
            else { tmp[o].s = y; tmp[o].m = out[l].m | 1u << j; o++; l++; }
        }
        while (i < len) tmp[o++] = out[i++];
        while (l < len) { tmp[o].s = out[l].s + c[j]; tmp[o].m = out[l].m | 1u << j; o++; l++; }
        len *= 2;
        memcpy(out, tmp, (size_t)len * sizeof(item));
    }
}

static int better(double e, uint32_t m, double be, uint32_t bm) {
    if (e != be) return e < be;
    int pc = __builtin_popcount(m), pb = __builtin_popcount(bm);
    return pc != pb ? pc < pb : m < bm;
}

static uint32_t solve(const double *c, int n, double t, double *err) {
    int h = n / 2, na = 1 << h, nb = 1 << (n - h);
    build(c, h, buf_a);
    build(c + h, n - h, buf_b);
    double best = fabs(0.0 + 0.0 - t);
    uint32_t bm = 0;
    int j = nb - 1;
    for (int i = 0; i < na; i++) {
        double a = buf_a[i].s;
        while (j > 0 && a + buf_b[j].s > t) j--;
        for (int d = 0; d <= 1 && j + d < nb; d++) {
            double e = fabs(a + buf_b[j + d].s - t);
            uint32_t m = buf_a[i].m | buf_b[j + d].m << h;
            if (better(e, m, best, bm)) { best = e; bm = m; }
        }
    }
    *err = best;
    return bm;
}

static uint64_t rng_state;
static double uniform(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

static char *skip_to(char *p, char ch) { while (*p && *p != ch) p++; return p; }

int main(int argc, char **argv) {
    if (argc == 5 && !strcmp(argv[1], "gen")) {
        int n = atoi(argv[2]), count = atoi(argv[3]);
        rng_state = strtoull(argv[4], 0, 10);
        printf("{\"candidates\": [");
        double *t = malloc(sizeof(double) * count);
        for (int p = 0; p < count; p++) {
            printf(p ? ", [" : "[");
            for (int j = 0; j < n; j++) {
                double u = uniform(), v = uniform();
                printf(j ? ", %.17g" : "%.17g", u * v);
            }
            printf("]");
            t[p] = uniform();
        }
        printf("], \"targets\": [");
        for (int p = 0; p < count; p++) printf(p ? ", %.17g" : "%.17g", t[p]);
        printf("]}\n");
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "solve")) {
        fprintf(stderr, "usage: %s gen N COUNT SEED | solve FILE.json\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 2; }
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    char *text = malloc(size + 1);
    if (fread(text, 1, size, f) != (size_t)size) return 2;
    text[size] = 0;
    /* {"candidates": [[...], ...], "targets": [...]} */
    char *p = strstr(text, "\"candidates\"");
    char *q = strstr(text, "\"targets\"");
    if (!p || !q) { fprintf(stderr, "bad file\n"); return 2; }
    int cap = 1 << 16, count = 0, n = -1;
    double *cand = malloc(sizeof(double) * cap), *targ;
    int nc = 0;
    p = skip_to(p, '[') + 1;
    for (;;) {
        p = skip_to(p, '['); if (!*p || p > q) break; p++;
        int k = 0;
        for (;;) {
            while (*p == ' ' || *p == ',') p++;
            if (*p == ']') { p++; break; }
            if (nc == cap) cand = realloc(cand, sizeof(double) * (cap *= 2));
            cand[nc++] = strtod(p, &p); k++;
        }
        if (n < 0) n = k; else if (k != n) { fprintf(stderr, "ragged\n"); return 2; }
        count++;
    }
    targ = malloc(sizeof(double) * (count + 1));
    p = skip_to(q, '[') + 1;
    for (int i = 0; i < count; i++) { while (*p == ' ' || *p == ',') p++; targ[i] = strtod(p, &p); }
    if (n < 0 || n > 32) { fprintf(stderr, "bad n\n"); return 2; }
    size_t half = (size_t)1 << (n - n / 2);
    buf_a = malloc(half * sizeof(item)); buf_b = malloc(half * sizeof(item)); tmp = malloc(half * sizeof(item));
    uint32_t *masks = malloc(sizeof(uint32_t) * count);
    double sum_err = 0, max_err = 0, e;
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < count; i++) {
        masks[i] = solve(cand + (size_t)i * n, n, targ[i], &e);
        sum_err += e; if (e > max_err) max_err = e;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double cpu = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
    double secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    uint64_t digest = 14695981039346656037ull; /* FNV-1a over the masks */
    for (int i = 0; i < count; i++) for (int b = 0; b < 4; b++) { digest ^= (masks[i] >> (8 * b)) & 255; digest *= 1099511628211ull; }
    printf("{\"n\": %d, \"count\": %d, \"seconds\": %.6f, \"seconds_per_problem\": %.9g, \"cpu_seconds_per_problem\": %.9g, \"mean_error\": %.6g, \"max_error\": %.6g, \"masks_fnv1a\": \"%016llx\"}\n",
           n, count, secs, secs / count, cpu / count, sum_err / count, max_err, (unsigned long long)digest);
    return 0;
}
