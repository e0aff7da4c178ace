/*
 * bench_store.c - the cost of appending a run to a results file (SPEC 5,
 * issue 17): N tiny runs appended one by one through h5out_store_append, as
 * a grid does, each timed; merges included where they fall.
 *
 *     build/bench/bench_store DIR [N]     (N = 10000)
 *
 * Prints the median append time around runs 10, 1000 and 10000 (windows of
 * 10), the slowest append (a merge), the total, the final merge
 * (h5out_close) and the file size.  The file is DIR/bench_store.h5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/h5out.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of t[from, from + n) (clipped to [0, len)). */
static double median(const double *t, int len, int from, int n)
{
    double w[16];
    int k = 0;
    for (int i = from; i < from + n && i < len && k < 16; i++)
        if (i >= 0)
            w[k++] = t[i];
    qsort(w, (size_t)k, sizeof *w, cmp_double);
    return k ? w[k / 2] : 0.0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_store DIR [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 10000;
    char path[1024];
    snprintf(path, sizeof path, "%s/bench_store.h5", argv[1]);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.d'", path, path);
    if (system(cmd) != 0)
        return 1;

    /* a tiny run: 11 checkpoints (max_epochs 5, eval_every 0.5) */
    struct run_result r;
    memset(&r, 0, sizeof r);
    if (run_cfg_init(&r.cfg, "dsaga") != 0)
        return 1;
    snprintf(r.cfg.dataset, sizeof r.cfg.dataset, "synth-dense:n=200,d=5,cond=10,seed=1");
    r.cfg.nodes = 2;
    r.status = "done";
    r.step_size = 0.1;
    r.fstar = 0.3;
    r.rate_per_epoch = -0.5;
    r.n_samples = 200;
    r.n_features = 5;
    int64_t m = 11;
    double *col = malloc((size_t)m * sizeof *col);
    for (int64_t i = 0; i < m; i++)
        col[i] = 0.5 * (double)i;
    r.trace.n = m;
    r.trace.epoch = r.trace.rounds = r.trace.bytes = r.trace.wall_s = col;
    r.trace.comm_s = r.trace.objective = r.trace.subopt = r.trace.grad_norm = col;

    double *t = malloc((size_t)n * sizeof *t);
    struct h5out_store *s = NULL;
    double t0 = now_s();
    if (h5out_open(path, "bench_store", 1, &s) != 0)
        return 1;
    for (int i = 0; i < n; i++) {
        double a = now_s();
        r.cfg.seed = (uint64_t)i;
        if (h5out_store_append(s, i, &r) != 0)
            return 1;
        t[i] = now_s() - a;
    }
    double c = now_s();
    if (h5out_close(s, 1) != 0)
        return 1;
    double close_s = now_s() - c;
    double total = now_s() - t0;
    double worst = 0;
    int worst_i = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += t[i];
        if (t[i] > worst) {
            worst = t[i];
            worst_i = i;
        }
    }
    double slow_sum = 0; /* appends over 50 ms: merges, or a stalled fsync */
    int slow_n = 0;
    for (int i = 0; i < n; i++)
        if (t[i] > 0.05) {
            slow_sum += t[i];
            slow_n++;
        }
    double *sorted = malloc((size_t)n * sizeof *sorted);
    memcpy(sorted, t, (size_t)n * sizeof *t);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
    struct stat st;
    stat(path, &st);
    printf("# bench_store: %d tiny runs (11 checkpoints) appended to %s\n", n, path);
    printf("%-34s %10s\n", "what", "ms");
    int at[3] = {10, 1000, 10000};
    for (int k = 0; k < 3; k++)
        if (at[k] <= n)
            printf("append at run %-20d %10.3f\n", at[k], 1e3 * median(t, n, at[k] - 10, 10));
    printf("%-34s %10.3f\n", "mean append (merges included)", 1e3 * sum / n);
    printf("%-34s %10.3f\n", "append, 50th percentile", 1e3 * sorted[n / 2]);
    printf("%-34s %10.3f\n", "append, 90th percentile", 1e3 * sorted[n * 9 / 10]);
    printf("%-34s %10.3f\n", "append, 99th percentile", 1e3 * sorted[n * 99 / 100]);
    printf("appends over 50 ms: %-5d, in all   %10.3f\n", slow_n, 1e3 * slow_sum);
    printf("slowest append (run %-6d, merge)  %10.3f\n", worst_i + 1, 1e3 * worst);
    printf("%-34s %10.3f\n", "final merge (h5out_close)", 1e3 * close_s);
    printf("%-34s %10.3f\n", "total", 1e3 * total);
    printf("%-34s %10.1f\n", "file size (MB)", (double)st.st_size / 1e6);
    free(sorted);
    free(t);
    free(col);
    return 0;
}
