/*
 * test_grid.c - grid configs (issue 6): every error is ERR_INPUT with one
 * stderr line "path:line: key: ..." before anything runs, and the expansion
 * (count, order, per-algorithm overrides, ignored keys) is the documented one.
 * grid_load is MPI-free, so it runs under Criterion without MPI_Init.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "harness/grid.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/dsaga-grid-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.ini", dir);
}

static void setup_err(void)
{
    setup();
    cr_redirect_stderr();
}

static void teardown(void)
{
    char cmd[128];
    unlink(path);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static void write_config(const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text with launch_ranks ranks, expects ERR_INPUT and exactly one
 * stderr line that starts "dsaga-bench: PATH:LINE: " and contains want. */
static void expect_error(const char *text, int launch_ranks, int line, const char *want)
{
    struct grid *g = (struct grid *)1;
    write_config(text);
    cr_assert_eq(grid_load(path, launch_ranks, &g), ERR_INPUT);
    cr_assert_null(g, "no grid on error");
    fflush(stderr);
    FILE *err = cr_get_redirected_stderr();
    char buf[2048] = "";
    cr_assert_not_null(fgets(buf, sizeof buf, err), "nothing on stderr");
    char prefix[256];
    snprintf(prefix, sizeof prefix, "dsaga-bench: %s:%d: ", path, line);
    cr_assert(strncmp(buf, prefix, strlen(prefix)) == 0, "got \"%s\", expected prefix \"%s\"", buf,
              prefix);
    cr_assert(strstr(buf + strlen(prefix), want) != NULL, "\"%s\" lacks \"%s\"", buf, want);
    /* nothing of the input reaches the terminal raw: no control bytes */
    size_t len = strlen(buf);
    cr_assert(len > 0 && buf[len - 1] == '\n', "one whole line");
    for (size_t i = 0; i + 1 < len; i++)
        cr_assert((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7F, "raw byte 0x%02X at %zu: %s",
                  (unsigned char)buf[i], i, buf);
    char extra[256];
    cr_assert_null(fgets(extra, sizeof extra, err), "a second line: %s", extra);
}

TestSuite(grid_errors, .init = setup_err, .fini = teardown);

Test(grid_errors, unknown_key)
{
    expect_error("[grid]\ndatasets = a9a\nfrobnicate = 3\nalgorithms = saga\n", 4, 3,
                 "frobnicate: unknown key");
}

Test(grid_errors, unknown_key_in_algorithm_section)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\n\n[dsaga]\n; c\nperiodd = 3\n", 4, 7,
                 "periodd: unknown key");
}

Test(grid_errors, unknown_section)
{
    expect_error("; header\n[grid]\ndatasets = a9a\n[bogus]\nalgorithms = saga\n", 4, 4,
                 "[bogus]: unknown section");
}

Test(grid_errors, unknown_empty_section)
{
    /* inih never calls the handler for an empty section: still an error */
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\n[nosuch]\n", 4, 4,
                 "[nosuch]: unknown section");
}

Test(grid_errors, bad_period)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\nperiod = 10 0.5 1n\n", 4, 4,
                 "period: \"0.5\": expected local steps");
}

Test(grid_errors, bad_aggregate_in_section)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\n[dsaga]\naggregate = mean median\n",
                 4, 5, "aggregate: \"median\": expected one of mean,sum (for dsaga)");
}

Test(grid_errors, bad_lambda)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\nlambda = -1\n", 4, 4,
                 "lambda: \"-1\": expected numbers > 0 or default");
}

Test(grid_errors, bad_algorithm)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga adam\n", 4, 3,
                 "algorithms: \"adam\": expected registered algorithm names");
}

Test(grid_errors, bad_value_on_continuation_line_names_the_key_line)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = sgd\nseeds = 1 2\n  3 x\n", 4, 4,
                 "seeds: \"x\": expected integers");
}

Test(grid_errors, empty_list)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = sgd\nstep_scale =\n", 4, 4,
                 "step_scale: empty list");
}

Test(grid_errors, empty_list_of_commas)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = sgd\nbatch = , ,\n", 4, 4,
                 "batch: empty list");
}

Test(grid_errors, nodes_exceed_launch)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\nnodes = 2 8\n", 4, 4,
                 "nodes: 8 exceeds the 4 ranks");
}

Test(grid_errors, nodes_range_exceeds_launch)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\n\n[dsaga]\nnodes = 1..3\n", 2, 6,
                 "nodes: 3 exceeds the 2 ranks");
}

Test(grid_errors, key_ignored_by_algorithm)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\n[saga]\nperiod = 10\n", 4, 5,
                 "period: not a key of saga");
}

/* SPEC 3.10: a method key in [grid] must belong to a listed method */
Test(grid_errors, method_key_no_listed_algorithm_declares)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga dsaga\nbatch = 4\n", 4, 4,
                 "batch: \"4\": expected a key of one of this grid's algorithms");
}

/* a misspelt key: the closest known one (shared with the command line) */
Test(grid_errors, misspelt_key_suggests)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\nperoid = 10\n", 4, 4,
                 "peroid: unknown key (did you mean period?)");
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\nseed = 1\n", 4, 4,
                 "seed: unknown key (did you mean seeds?)");
}

Test(grid_errors, key_set_twice)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\nseeds = 1\nseeds = 2\n", 4, 5,
                 "seeds: set twice in [grid] (first at line 4)");
}

Test(grid_errors, line_without_equals)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms saga\n", 4, 3, "expected key = value");
}

Test(grid_errors, missing_algorithms)
{
    expect_error("\n[grid]\ndatasets = a9a\n", 4, 2, "algorithms: missing");
}

/* ---- expansion ----------------------------------------------------------- */

TestSuite(grid_expand, .init = setup, .fini = teardown);

Test(grid_expand, count_and_order)
{
    /* Per data set: saga ignores nodes and period -> 2 seeds; dsaga:
     * 2 nodes x 2 periods x 2 seeds = 8.  Two data sets -> 20 cells. */
    write_config(
        "[grid]\n"
        "datasets = synth-dense:n=50,d=5,cond=10,seed=1   synth-dense:n=60,d=5,cond=10,seed=2\n"
        "algorithms = saga, dsaga\n"
        "nodes = 1 2\n"
        "seeds = 1..2\n"
        "max_epochs = 3 ; inline comment\n"
        "[dsaga]\n"
        "period = 10\n"
        "   0.5n\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 4, &g), 0);
    cr_assert_eq(g->n_runs, 20);
    cr_assert_eq(g->max_nodes, 2);
    cr_assert_str_eq(g->out_path, "results/t.h5");
    const struct run_cfg *r = g->runs;
    const char *a = "synth-dense:n=50,d=5,cond=10,seed=1";
    const char *b = "synth-dense:n=60,d=5,cond=10,seed=2";
    /* saga: one node, the seeds innermost */
    cr_assert_str_eq(r[0].algorithm, "saga");
    cr_assert_str_eq(r[0].dataset, a);
    cr_assert_eq(r[0].nodes, 1);
    cr_assert_eq(r[0].seed, 1);
    cr_assert_eq(r[1].seed, 2);
    /* exact: 3 parsed from text, and the default marker 0 */
    cr_assert(r[0].max_epochs == 3.0);
    cr_assert(r[0].lambda == 0.0);
    /* dsaga: nodes outside period outside seeds */
    const struct {
        int nodes;
        double period;
        int frac;
        unsigned seed;
    } want[8] = {{1, 10, 0, 1}, {1, 10, 0, 2}, {1, 0.5, 1, 1}, {1, 0.5, 1, 2},
                 {2, 10, 0, 1}, {2, 10, 0, 2}, {2, 0.5, 1, 1}, {2, 0.5, 1, 2}};
    for (int i = 0; i < 8; i++) {
        const struct run_cfg *c = &r[2 + i];
        cr_assert_str_eq(c->algorithm, "dsaga");
        cr_assert_str_eq(c->dataset, a);
        cr_assert_eq(c->nodes, want[i].nodes, "cell %d", 2 + i);
        struct period per = params_period(&c->params, "period");
        cr_assert(per.value == want[i].period, "cell %d period %g", 2 + i, per.value);
        cr_assert_eq(per.is_fraction, want[i].frac, "cell %d", 2 + i);
        cr_assert_eq(c->seed, want[i].seed, "cell %d", 2 + i);
    }
    /* the second data set repeats the pattern */
    cr_assert_str_eq(r[10].dataset, b);
    cr_assert_str_eq(r[10].algorithm, "saga");
    cr_assert_str_eq(r[19].algorithm, "dsaga");
    cr_assert_eq(r[19].nodes, 2);
    cr_assert_eq(r[19].seed, 2);
    grid_destroy(g);
}

Test(grid_expand, ignored_keys_do_not_multiply)
{
    /* sgd ignores period and aggregate; gd also batch; so 2 batches for sgd,
     * 1 cell for gd, 2 x 2 for dsaga. */
    write_config("[grid]\n"
                 "datasets = a9a\n"
                 "algorithms = sgd gd dsaga\n"
                 "period = 10 20\n"
                 "aggregate = mean sum\n"
                 "batch = 1 8\n"
                 "step_rule = constant\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 3, &g), 0);
    cr_assert_eq(g->n_runs, 2 + 1 + 4);
    cr_assert_eq(params_int(&g->runs[0].params, "batch"), 1);
    cr_assert_eq(params_int(&g->runs[1].params, "batch"), 8);
    cr_assert_str_eq(params_text(&g->runs[0].params, "step_rule"), "constant");
    cr_assert_str_eq(g->runs[2].algorithm, "gd");
    /* SPEC 3.10: a key a method does not declare is not in its run at all */
    cr_assert_null(params_text(&g->runs[2].params, "step_rule"), "gd declares no step_rule");
    cr_assert_str_eq(params_text(&g->runs[3].params, "aggregate"), "mean");
    cr_assert_str_eq(params_text(&g->runs[4].params, "aggregate"), "sum");
    cr_assert_null(params_text(&g->runs[3].params, "batch"), "dsaga declares no batch");
    /* nodes default: every rank of the launch */
    cr_assert_eq(g->runs[3].nodes, 3);
    grid_destroy(g);
}

Test(grid_expand, optional_and_long_lines)
{
    /* A datasets line longer than inih's 200-byte default line. */
    char text[4096];
    char specs[2048] = "";
    for (int i = 1; i <= 8; i++) {
        char one[128];
        snprintf(one, sizeof one, "synth-sparse:n=1000,d=5000,nnz=20,seed=%d,noise=0.05 ", i);
        strcat(specs, one);
    }
    cr_assert_gt(strlen(specs), 300u);
    snprintf(text, sizeof text,
             "[grid]\ndatasets = %s\noptional_datasets = w8a a9a\nalgorithms = saga\n"
             "lambda = default 1e-3\n",
             specs);
    write_config(text);
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 1, &g), 0);
    cr_assert_eq(g->n_runs, (8 + 2) * 2);
    cr_assert_str_eq(g->runs[0].dataset, "synth-sparse:n=1000,d=5000,nnz=20,seed=1,noise=0.05");
    cr_assert_str_eq(g->runs[14].dataset, "synth-sparse:n=1000,d=5000,nnz=20,seed=8,noise=0.05");
    cr_assert_str_eq(g->runs[16].dataset, "w8a");
    cr_assert_str_eq(g->runs[18].dataset, "a9a");
    cr_assert(g->runs[19].lambda == 1e-3); /* exact: parsed once from the same text */
    cr_assert_str_eq(g->config_text, text);
    grid_destroy(g);
}

Test(grid_expand, section_datasets_override)
{
    /* local-sgd runs on its own data set only; the order of data sets is
     * first appearance ([grid] first). */
    write_config("[grid]\ndatasets = a9a\nalgorithms = saga local-sgd\n"
                 "[local-sgd]\ndatasets = w8a a9a\npartition = random label\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->n_runs, 1 + 2 + 2);
    cr_assert_str_eq(g->runs[0].algorithm, "saga");
    cr_assert_str_eq(g->runs[1].algorithm, "local-sgd");
    cr_assert_str_eq(g->runs[1].dataset, "a9a");
    cr_assert_eq(g->runs[1].partition, PARTITION_RANDOM);
    cr_assert_eq(g->runs[2].partition, PARTITION_LABEL);
    cr_assert_str_eq(g->runs[3].dataset, "w8a");
    cr_assert_str_eq(g->runs[4].dataset, "w8a");
    grid_destroy(g);
}

Test(grid_expand, variants_have_their_own_lists)
{
    /* dsaga:steps sweeps step_scale at one period; dsaga sweeps the period:
     * 2 + 3 cells, all of algorithm "dsaga". */
    write_config("[grid]\ndatasets = a9a\nalgorithms = dsaga dsaga:steps\n"
                 "[dsaga]\nperiod = 10 0.5n\n"
                 "[dsaga:steps]\nperiod = 1n\nstep_scale = 0.5 1 2\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->n_runs, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(g->runs[i].algorithm, "dsaga");
    /* exact: values parsed from text */
    struct period p1 = params_period(&g->runs[1].params, "period");
    struct period p2 = params_period(&g->runs[2].params, "period");
    cr_assert(p1.value == 0.5 && p1.is_fraction);
    cr_assert(p2.value == 1.0 && g->runs[2].step_scale == 0.5);
    cr_assert(g->runs[4].step_scale == 2.0);
    grid_destroy(g);
}

Test(grid_errors, unknown_variant_base)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\n[adam:x]\n", 2, 4,
                 "[adam:x]: unknown section");
}

/* ---- long lines and raw bytes (issue 9 review) --------------------------- */

/* "[grid]\ndatasets = <specs>" + eol + "algorithms = saga\n", the datasets
 * line exactly len bytes long (eol not counted), its last token a spec
 * ending in seed=99999 (a line cut short would lose or split it), spaces
 * between the specs as padding.  The caller frees. */
static char *config_with_line(size_t len, const char *eol)
{
    const char *last = "synth-dense:n=10,d=5,cond=10,seed=99999";
    char *line = malloc(len + 1);
    size_t used = (size_t)sprintf(line, "datasets = ");
    for (int i = 1; used + 80 + strlen(last) < len; i++)
        used += (size_t)sprintf(line + used, "synth-dense:n=10,d=5,cond=10,seed=%d ", i);
    while (used + strlen(last) < len)
        line[used++] = ' ';
    strcpy(line + used, last);
    cr_assert_eq(strlen(line), len);
    char *text = malloc(len + 64);
    sprintf(text, "[grid]\n%s%salgorithms = saga\n", line, eol);
    free(line);
    return text;
}

Test(grid_expand, line_of_max_length_is_read_whole)
{
    const char *eols[] = {"\n", "\r\n"};
    for (int e = 0; e < 2; e++) {
        char *text = config_with_line(65536, eols[e]);
        write_config(text);
        struct grid *g = NULL;
        cr_assert_eq(grid_load(path, 1, &g), 0, "a 65536-byte line (eol %d)", e);
        cr_assert_str_eq(g->runs[g->n_runs - 1].dataset, "synth-dense:n=10,d=5,cond=10,seed=99999");
        cr_assert_str_eq(g->runs[0].dataset, "synth-dense:n=10,d=5,cond=10,seed=1");
        grid_destroy(g);
        free(text);
    }
}

/* libinih used to split the line and parse its tail as a key: the error
 * blamed "10,seed" (or a later line), never the long line. */
Test(grid_errors, line_too_long)
{
    char *text = config_with_line(65537, "\n");
    expect_error(text, 1, 2, "line longer than 65536 characters");
    free(text);
}

Test(grid_errors, line_too_long_after_good_lines)
{
    char *long_text = config_with_line(100000, "\n");
    char *text = malloc(strlen(long_text) + 64);
    sprintf(text, "[grid]\nseeds = 1\n%s", long_text + strlen("[grid]\n"));
    expect_error(text, 1, 3, "line longer than 65536 characters");
    free(text);
    free(long_text);
}

Test(grid_errors, control_bytes_are_escaped)
{
    expect_error("[grid]\ndatasets = a9a\ndata\x07set\x1b[2J = 3\nalgorithms = saga\n", 1, 3,
                 "data\\x07set\\x1B[2J: unknown key");
}

Test(grid_errors, control_bytes_in_section_name_are_escaped)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\n[sa\x7fga\x01]\n", 1, 4,
                 "[sa\\x7Fga\\x01]: unknown section");
}

Test(grid_errors, utf8_kept_invalid_bytes_and_c1_escaped)
{
    /* "lambdä" is valid UTF-8 and printed as such; 0xFF is no UTF-8, and
     * U+009B (C2 9B) is the C1 control CSI. */
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\nlambd\xc3\xa4\xff\xc2\x9b = 1\n", 1, 4,
                 "lambd\xc3\xa4\\xFF\\xC2\\x9B: unknown key");
}

/* A line inih rejects (binary junk, no '=') is the error, not the key line
 * after it, which used to be reported under the junk line's number. */
Test(grid_errors, junk_line_before_a_bad_key)
{
    expect_error("[grid]\n\x01\x02\x03\nfrobnicate = 3\n", 1, 2,
                 "expected key = value, a [section] or a comment");
}

Test(grid_errors, unknown_network_preset)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = gd\nnetwork = lan\n", 4, 4,
                 "network: \"lan\": expected a network preset: datacenter, wan or none");
}

/* network = preset sets alpha and beta (netmodel_preset's values); an
 * explicit net_beta_s overrides the preset's, as documented. */
TestSuite(grid_expand_net, .init = setup, .fini = teardown);

Test(grid_expand_net, presets_set_alpha_and_beta)
{
    write_config("[grid]\n"
                 "datasets = a9a\n"
                 "algorithms = gd\n"
                 "network = datacenter wan none\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->n_runs, 3);
    cr_assert_eq(g->runs[0].net.alpha_s, 5e-6);
    cr_assert_eq(g->runs[0].net.beta_s, 1e-10);
    cr_assert_eq(g->runs[1].net.alpha_s, 50e-3);
    cr_assert_eq(g->runs[1].net.beta_s, 8.0 / 100e6);
    cr_assert(g->runs[2].net.alpha_s < 0, "none: no model");
    grid_destroy(g);

    write_config("[grid]\n"
                 "datasets = a9a\n"
                 "algorithms = gd\n"
                 "network = wan\n"
                 "net_beta_s = 1e-9\n");
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->n_runs, 1);
    cr_assert_eq(g->runs[0].net.alpha_s, 50e-3);
    cr_assert_eq(g->runs[0].net.beta_s, 1e-9, "explicit net_beta_s wins");
    grid_destroy(g);
}

/* ---- predict = yes (issue 14, SPEC 4.1) ---------------------------------- */

Test(grid_expand, predict_is_a_grid_setting_not_crossed)
{
    write_config("[grid]\ndatasets = a9a\nalgorithms = saga dsaga\npredict = yes\n");
    struct grid *g = NULL;
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->predict, 1);
    cr_assert_eq(g->n_runs, 2, "not a list: no extra cells");
    grid_destroy(g);
    write_config("[grid]\ndatasets = a9a\nalgorithms = saga\n");
    cr_assert_eq(grid_load(path, 2, &g), 0);
    cr_assert_eq(g->predict, 0, "off by default");
    grid_destroy(g);
}

Test(grid_errors, predict_yes_or_no_in_grid_only)
{
    expect_error("[grid]\ndatasets = a9a\nalgorithms = saga\npredict = maybe\n", 2, 4,
                 "predict: expected yes or no, got \"maybe\"");
    expect_error("[grid]\ndatasets = a9a\nalgorithms = dsaga\n[dsaga]\npredict = yes\n", 2, 5,
                 "predict: expected one value, yes or no, in [grid]");
}
