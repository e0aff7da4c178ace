/* test_netmodel.c - the modelled time of netmodel.h against hand-computed
 * values (issue 10). */
#include <criterion/criterion.h>
#include <math.h>

#include <string.h>

#include "base/comm.h"
#include "base/netmodel.h"

#define SEED 7

static struct netmodel_cfg model_cfg(double alpha, double beta, double compute_s)
{
    struct netmodel_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alpha_s = alpha;
    cfg.beta_s = beta;
    cfg.compute_s = compute_s;
    cfg.straggler_factor = 1.0;
    return cfg;
}

Test(netmodel, allreduce_closed_form)
{
    /* K = 4: ceil(log2 4) = 2 -> 4 alpha; 2 * 3/4 * 8 * 100 bytes * beta */
    double t = netmodel_allreduce_s(1e-3, 1e-6, 4, 100);
    cr_assert_float_eq(t, 4e-3 + 1200e-6, 1e-15, "got %.17g", t); /* a few ulps of 5e-3 */
    /* K = 5: ceil(log2 5) = 3 */
    t = netmodel_allreduce_s(1.0, 0.0, 5, 10);
    cr_assert_eq(t, 6.0);
    cr_assert_eq(netmodel_allreduce_s(1.0, 1.0, 1, 10), 0.0, "one node has no network");
}

Test(netmodel, presets)
{
    double a, b;
    cr_assert_eq(netmodel_preset("datacenter", &a, &b), 0);
    cr_assert_eq(a, 5e-6);
    cr_assert_eq(netmodel_preset("wan", &a, &b), 0);
    cr_assert_eq(a, 50e-3);
    cr_assert_eq(netmodel_preset("carrier-pigeon", &a, &b), -1);
}

Test(netmodel, no_model_without_alpha)
{
    struct netmodel_cfg cfg = model_cfg(-1, 0, 1);
    struct comm c;
    struct netmodel *m = (struct netmodel *)&cfg; /* must be overwritten */
    comm_init(&c, MPI_COMM_NULL);
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    cr_assert_null(m);
}

/* Three rounds of a K = 4 method on one process: the serial communicator
 * skips the MAX reduction, so the log is this node's own.  Hand-computed:
 * round r costs work_r * compute_s + T(4, n). */
Test(netmodel, rounds_add_compute_and_network)
{
    struct netmodel_cfg cfg = model_cfg(1e-3, 1e-6, 2e-6);
    struct comm c;
    struct netmodel *m = NULL;
    comm_init(&c, MPI_COMM_NULL);
    c.size = 4; /* pretend K = 4 for the network term */
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    c.model = m;
    double work[3] = {100, 250, 50};
    double expect = 0.0;
    for (int r = 0; r < 3; r++) {
        comm_add_work(&c, work[r]);
        cr_assert_eq(netmodel_before_collective(m, &c, 10), 0);
        expect += work[r] * 2e-6 + (4e-3 + 2.0 * 0.75 * 80 * 1e-6);
    }
    cr_assert_eq(c.stats.model_s, 0.0, "nothing is folded before a flush");
    cr_assert_eq(comm_model_flush(&c), 0);
    /* the same sums in another order: a few ulps */
    cr_assert_float_eq(c.stats.model_s, expect, 1e-15, "got %.17g want %.17g", c.stats.model_s,
                       expect);
    cr_assert_eq(c.pending_work, 0.0);
    netmodel_destroy(m);
}

/* A straggler on every node (straggler_nodes = K) makes compute
 * straggler_factor times slower; one node alone keeps trailing work. */
Test(netmodel, straggler_factor_and_trailing_work)
{
    struct netmodel_cfg cfg = model_cfg(0.0, 0.0, 1e-3);
    cfg.straggler_factor = 4.0;
    cfg.straggler_nodes = 1;
    struct comm c;
    struct netmodel *m = NULL;
    comm_init(&c, MPI_COMM_NULL); /* K = 1: the only node is the straggler */
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    c.model = m;
    comm_add_work(&c, 500); /* saga-like: no collective at all */
    cr_assert_eq(comm_model_flush(&c), 0);
    cr_assert_float_eq(c.stats.model_s, 500 * 1e-3 * 4.0, 1e-15, "got %.17g", c.stats.model_s);
    netmodel_destroy(m);
}

/* The seeded choice of slow nodes picks exactly straggler_nodes of K. */
Test(netmodel, straggler_choice_counts)
{
    struct netmodel_cfg cfg = model_cfg(0.0, 0.0, 1.0);
    cfg.straggler_factor = 3.0;
    cfg.straggler_nodes = 3;
    int slow = 0;
    for (int k = 0; k < 8; k++) {
        struct comm c;
        struct netmodel *m = NULL;
        comm_init(&c, MPI_COMM_NULL);
        c.size = 8;
        c.rank = k;
        cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
        c.model = m;
        comm_add_work(&c, 1.0);
        netmodel_before_collective(m, &c, 0);
        comm_model_flush(&c);
        slow += c.stats.model_s > 2.0; /* 3.0 for slow nodes, 1.0 otherwise */
        netmodel_destroy(m);
    }
    cr_assert_eq(slow, 3);
}

/* The asynchronous model (issue 19, netmodel.h): worker 0 of 2 (the other
 * never sends; the serial communicator skips the reduction) makes three
 * updates of W = 100 gradients, each costing C = 100 compute_s, slowed 2x
 * when it is the straggler (it is: straggler_nodes = 2 of K = 2).  The
 * server's queue: t_n = n (C + service + 2 alpha) - alpha, service =
 * 2 * 8 n_doubles beta.  The server rank (rank 2) is never chosen slow. */
Test(netmodel, async_queue_closed_form)
{
    struct netmodel_cfg cfg = model_cfg(1e-3, 1e-6, 2e-6);
    cfg.straggler_factor = 2.0;
    cfg.straggler_nodes = 2;
    struct comm c;
    struct netmodel *m = NULL;
    comm_init(&c, MPI_COMM_NULL);
    c.size = 3;    /* 2 workers + 1 server */
    c.servers = 1; /* SPEC 3.9 */
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    c.model = m;
    for (int u = 0; u < 3; u++) {
        cr_assert_eq(netmodel_update_start(m), 0.0, "no delay, no sleep");
        comm_add_work(&c, 100);
        netmodel_before_send(m, &c, 10);
    }
    cr_assert_eq(comm_model_flush(&c), 0);
    double C = 100 * 2e-6 * 2.0;
    double service = 2.0 * 8.0 * 10 * 1e-6;
    double want = 3 * (C + service + 2e-3) - 1e-3;
    cr_assert_float_eq(c.stats.model_s, want, 1e-15, "got %.17g want %.17g", c.stats.model_s, want);
    /* sleeps owed for real: none unless straggler_sleep; 2 = the whole
     * modelled compute, 1 = the straggler's extra */
    cr_assert_eq(netmodel_sleep_owed(m, 100), 0.0);
    netmodel_destroy(m);
    cfg.straggler_sleep = 2;
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    cr_assert_float_eq(netmodel_sleep_owed(m, 100), 100 * 2e-6 * 2.0, 1e-18);
    netmodel_destroy(m);
    cfg.straggler_sleep = 1;
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    cr_assert_float_eq(netmodel_sleep_owed(m, 100), 100 * 2e-6 * 1.0, 1e-18);
    netmodel_destroy(m);
    c.rank = 2; /* the server: never slow */
    cr_assert_eq(netmodel_create(&cfg, SEED, NULL, &c, &m), 0);
    cr_assert_eq(netmodel_sleep_owed(m, 100), 0.0);
    netmodel_destroy(m);
}
