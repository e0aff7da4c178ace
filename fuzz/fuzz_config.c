/*
 * fuzz_config.c - libFuzzer target for the grid config loader (harness/grid.c,
 * issue 6 / issue 9, SPEC 7: a malformed config is one ERR_INPUT line, never
 * a crash, a hang or a leak).  grid.h offers only a path entry point, so
 * each input is written to one private temporary file (fuzz_file.h) and
 * loaded as if launched on 4 ranks.  A success must give a consistent grid: checked here,
 * so the fuzzer finds wrong expansions as well as crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "harness/grid.h"
#include "fuzz/fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__asan_default_options(void);

/* A small ASan quarantine: every input allocates the 64 KiB inih line and
 * the cells afresh, and a 256 MiB quarantine turns that into page faults
 * (3x fewer executions per second).  ASAN_OPTIONS still overrides. */
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16";
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_file_create("config", ".ini");
    return 0;
}

/* A loaded grid must be usable by grid_main: cells exist, K in 1..4 (the
 * launch_ranks given), out_path set. */
static void check(const struct grid *g)
{
    if (g->n_runs < 1 || !g->runs || !g->config_text || g->max_nodes < 1 || g->max_nodes > 4)
        abort();
    if (!memchr(g->out_path, '\0', sizeof g->out_path) || g->out_path[0] == '\0')
        abort();
    for (int64_t i = 0; i < g->n_runs; i++)
        if (g->runs[i].nodes < 1 || g->runs[i].nodes > g->max_nodes)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_put(data, size);
    struct grid *g = NULL;
    int rc = grid_load(fuzz_path, 4, &g);
    if (rc == 0)
        check(g);
    else if (rc != ERR_INPUT || g != NULL)
        abort(); /* only bad input is expected from any text (no I/O, no OOM here) */
    grid_destroy(g);
    return 0;
}
