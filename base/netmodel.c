/*
 * netmodel.c - the network and straggler cost model of netmodel.h
 * (issue 10).  Formulas and calibration are described in the header.
 */
#include "base/netmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/comm.h"
#include "base/error.h"
#include "base/objective.h"
#include "base/rng.h"

struct netmodel {
    double alpha_s;      /* latency per collective step */
    double beta_s;       /* seconds per byte */
    double compute_s;    /* seconds per component gradient */
    double slow;         /* this node's slowdown factor (1 or straggler_factor) */
    double delay_mean_s; /* mean of the exponential delay per round */
    int sleep_for_real;  /* also sleep the extra time in measured runs */
    int nodes;           /* K */
    struct rng rng;      /* this node's delays */
    int64_t n_logged;    /* rounds logged since the last flush */
    int64_t cap;
    double *compute_log; /* this node's modelled compute per logged round */
    double *network_log; /* T_allreduce of each logged round */
    /* asynchronous methods (server ranks, SPEC 3.9) */
    int async;            /* 1: the run has ranks beyond its K nodes */
    double update_delay;  /* the delay drawn for the current update */
    double async_compute; /* this worker's modelled compute, all updates */
    double async_work;    /* its component gradients, all updates */
    double async_updates; /* its updates */
    int64_t msg_doubles;  /* n of the last point-to-point message */
    double sleep_debt_s;  /* slept beyond what was owed (< 0) or short of it */
};

int netmodel_preset(const char *name, double *alpha_s, double *beta_s)
{
    if (strcmp(name, "datacenter") == 0) {
        *alpha_s = 5e-6;      /* MPI latency over a datacenter fabric */
        *beta_s = 1.0 / 10e9; /* 10 GB/s per link */
    } else if (strcmp(name, "wan") == 0) {
        *alpha_s = 50e-3;      /* one wide-area round trip */
        *beta_s = 8.0 / 100e6; /* 100 Mbit/s */
    } else {
        return -1;
    }
    return 0;
}

double netmodel_allreduce_s(double alpha_s, double beta_s, int nodes, int64_t n_doubles)
{
    if (nodes <= 1)
        return 0.0;
    int steps = 0; /* ceil(log2 K) */
    while ((1 << steps) < nodes)
        steps++;
    return 2.0 * steps * alpha_s +
           2.0 * (double)(nodes - 1) / nodes * 8.0 * (double)n_doubles * beta_s;
}

/* Seconds per component gradient on this machine: a timed pass of the loss
 * derivatives (margins, loss', x_i scaling) over the rows held, repeated
 * until at least 20 ms have passed.  Rank 0 only (the others wait), so an
 * oversubscribed launch does not slow the measurement down. */
static int calibrate(const struct problem *local, double *compute_s)
{
    int rc = 0;
    const struct dataset *ds = local->data;
    double *w = calloc((size_t)ds->n_features + 1, sizeof *w);
    double *grad = calloc((size_t)ds->n_features + 1, sizeof *grad);
    double *z = malloc(((size_t)ds->n_samples + 1) * sizeof *z);
    if (!w || !grad || !z)
        FAIL_GOTO(ERR_NOMEM, "calibration buffers (d = %lld)", (long long)ds->n_features);
    int64_t rows = 0;
    double t0 = MPI_Wtime();
    double elapsed = 0.0;
    while (elapsed < 0.02 || rows == 0) {
        objective_local(local, w, grad, z);
        rows += ds->n_samples > 0 ? ds->n_samples : 1;
        elapsed = MPI_Wtime() - t0;
    }
    *compute_s = elapsed / (double)rows;
done:
    free(w);
    free(grad);
    free(z);
    return rc;
}

int netmodel_create(const struct netmodel_cfg *cfg, uint64_t seed, const struct problem *local,
                    struct comm *c, struct netmodel **out)
{
    *out = NULL;
    if (cfg->alpha_s < 0)
        return 0;
    struct netmodel *m = calloc(1, sizeof *m);
    if (!m)
        FAIL(ERR_NOMEM, "network model");
    m->alpha_s = cfg->alpha_s;
    m->beta_s = cfg->beta_s > 0 ? cfg->beta_s : 0.0;
    m->delay_mean_s = cfg->straggler_delay_s > 0 ? cfg->straggler_delay_s : 0.0;
    m->sleep_for_real = cfg->straggler_sleep;
    m->nodes = comm_nodes(c);
    m->async = c->servers > 0;
    m->slow = 1.0;

    /* The slow nodes: the first straggler_nodes of a seeded permutation,
     * the same on every rank. */
    if (cfg->straggler_nodes > 0 && cfg->straggler_factor > 0) {
        struct rng pick;
        rng_seed(&pick, seed, RNG_STREAM_STRAGGLER);
        int slow_left = cfg->straggler_nodes;
        int nodes_left = comm_nodes(c); /* data nodes only: a server is never slow */
        for (int k = 0; k < comm_nodes(c); k++, nodes_left--) {
            /* selection sampling (Knuth 3.4.2 S): each k kept w.p. left/remaining */
            int chosen = (int)rng_below(&pick, (uint64_t)nodes_left) < slow_left;
            if (chosen) {
                slow_left--;
                if (k == c->rank)
                    m->slow = cfg->straggler_factor;
            }
        }
    }
    rng_seed(&m->rng, seed, RNG_STREAM_STRAGGLER + 1 + (uint64_t)c->rank);

    double compute_s = cfg->compute_s;
    if (compute_s <= 0) {
        int rc_cal = 0;
        if (c->rank == 0)
            rc_cal = calibrate(local, &compute_s);
        if (c->mpi != MPI_COMM_NULL && c->size > 1) {
            double buf[2] = {compute_s, (double)rc_cal};
            int mpi_rc = MPI_Bcast(buf, 2, MPI_DOUBLE, 0, c->mpi);
            if (mpi_rc != MPI_SUCCESS) {
                free(m);
                error_mpi(__FILE__, __LINE__, __func__, "MPI_Bcast", mpi_rc);
                return ERR_MPI;
            }
            compute_s = buf[0];
            rc_cal = (int)buf[1];
        }
        if (rc_cal < 0) {
            free(m);
            return rc_cal;
        }
    }
    m->compute_s = compute_s;
    *out = m;
    return 0;
}

void netmodel_destroy(struct netmodel *m)
{
    if (!m)
        return;
    free(m->compute_log);
    free(m->network_log);
    free(m);
}

double netmodel_compute_s(const struct netmodel *m)
{
    return m->compute_s;
}

double netmodel_allgather_s(double alpha_s, double beta_s, int nodes, int64_t n_doubles)
{
    if (nodes <= 1)
        return 0.0;
    int steps = 0; /* ceil(log2 K) */
    while ((1 << steps) < nodes)
        steps++;
    return steps * alpha_s + (double)(nodes - 1) / nodes * 8.0 * (double)n_doubles * beta_s;
}

static int log_round(struct netmodel *m, struct comm *c, double network_s);

int netmodel_before_collective(struct netmodel *m, struct comm *c, int64_t n)
{
    return log_round(m, c, netmodel_allreduce_s(m->alpha_s, m->beta_s, m->nodes, n));
}

int netmodel_before_allgather(struct netmodel *m, struct comm *c, int64_t n_total)
{
    return log_round(m, c, netmodel_allgather_s(m->alpha_s, m->beta_s, m->nodes, n_total));
}

/* Logs this rank's compute since the last collective and the collective's
 * modelled network time. */
static int log_round(struct netmodel *m, struct comm *c, double network_s)
{
    if (m->n_logged == m->cap) {
        int64_t cap = m->cap ? 2 * m->cap : 256;
        double *cl = realloc(m->compute_log, (size_t)cap * sizeof *cl);
        if (!cl)
            FAIL(ERR_NOMEM, "network model log of %lld rounds", (long long)cap);
        m->compute_log = cl;
        double *nl = realloc(m->network_log, (size_t)cap * sizeof *nl);
        if (!nl)
            FAIL(ERR_NOMEM, "network model log of %lld rounds", (long long)cap);
        m->network_log = nl;
        m->cap = cap;
    }
    double base = c->pending_work * m->compute_s;
    double delay = 0.0;
    if (m->delay_mean_s > 0)
        delay = -m->delay_mean_s * log(1.0 - rng_uniform(&m->rng)); /* exponential */
    double extra = base * (m->slow - 1.0) + delay;
    m->compute_log[m->n_logged] = base + extra;
    m->network_log[m->n_logged] = network_s;
    m->n_logged++;
    c->pending_work = 0.0;
    /* straggler_sleep 2 emulates the whole compute, 1 only the extra */
    double sleep_s = m->sleep_for_real == 2 ? base + extra : m->sleep_for_real ? extra : 0.0;
    if (m->sleep_for_real) {
        /* a late wake-up on a loaded machine is taken off the next sleep,
         * so that the slept time matches the model on average */
        double want = sleep_s + m->sleep_debt_s;
        if (want > 0) {
            struct timespec ts;
            ts.tv_sec = (time_t)want;
            ts.tv_nsec = (long)((want - (double)ts.tv_sec) * 1e9);
            double t0 = MPI_Wtime();
            while (nanosleep(&ts, &ts) != 0)
                ; /* resume after a signal */
            want -= MPI_Wtime() - t0;
        }
        m->sleep_debt_s = want;
    }
    return 0;
}

double netmodel_sleep_owed(const struct netmodel *m, double units)
{
    if (!m || !m->sleep_for_real)
        return 0.0;
    double factor = m->sleep_for_real == 2 ? m->slow : m->slow - 1.0;
    return units * m->compute_s * factor;
}

double netmodel_update_start(struct netmodel *m)
{
    if (!m)
        return 0.0;
    m->update_delay = 0.0;
    if (m->delay_mean_s > 0)
        m->update_delay = -m->delay_mean_s * log(1.0 - rng_uniform(&m->rng)); /* exponential */
    return m->sleep_for_real ? m->update_delay : 0.0;
}

void netmodel_before_send(struct netmodel *m, struct comm *c, int64_t n)
{
    m->async_compute += c->pending_work * m->compute_s * m->slow + m->update_delay;
    m->async_work += c->pending_work;
    m->async_updates += 1.0;
    m->update_delay = 0.0;
    m->msg_doubles = n;
    c->pending_work = 0.0;
}

/* The server's queue of netmodel.h, simulated from 0 until `target`
 * component gradients are applied.  sums[3k..3k+2] = worker k's modelled
 * compute, gradients and updates.  Returns the modelled seconds. */
static double netmodel_async_time(const struct netmodel *m, const double *sums, int K,
                                  int64_t n_doubles, double target, double *scratch)
{
    double *next = scratch;     /* when worker k's next update reaches the server */
    double *cost = scratch + K; /* C_k */
    double *grads = cost + K;   /* W_k */
    double service = 2.0 * 8.0 * (double)n_doubles * m->beta_s;
    for (int k = 0; k < K; k++) {
        int active = sums[3 * k + 2] > 0;
        cost[k] = active ? sums[3 * k] / sums[3 * k + 2] : 0.0;
        grads[k] = active ? sums[3 * k + 1] / sums[3 * k + 2] : 0.0;
        next[k] = active ? cost[k] + m->alpha_s : INFINITY;
    }
    double free_at = 0.0;
    double applied = 0.0;
    double t = 0.0;
    while (applied < target) {
        int k = -1; /* the earliest arrival (lowest rank on ties) */
        for (int j = 0; j < K; j++)
            if (isfinite(next[j]) && (k < 0 || next[j] < next[k]))
                k = j;
        if (k < 0)
            break;
        t = (next[k] > free_at ? next[k] : free_at) + service;
        free_at = t;
        applied += grads[k];
        next[k] = t + m->alpha_s + cost[k] + m->alpha_s;
    }
    return t;
}

int netmodel_flush(struct netmodel *m, struct comm *c)
{
    if (m->async) {
        /* no max over nodes: every worker's totals, then the server's queue */
        int K = m->nodes;
        double *sums = calloc((size_t)(3 * c->size + 1 + 3 * K), sizeof *sums); /* + scratch */
        if (!sums)
            FAIL(ERR_NOMEM, "network model sums for %d ranks", c->size);
        sums[3 * c->rank] = m->async_compute;
        sums[3 * c->rank + 1] = m->async_work;
        sums[3 * c->rank + 2] = m->async_updates;
        sums[3 * c->size] = m->async_updates > 0 ? (double)m->msg_doubles : 0.0;
        int rc = 0;
        if (c->mpi != MPI_COMM_NULL && c->size > 1) {
            int mpi_rc =
                MPI_Allreduce(MPI_IN_PLACE, sums, 3 * c->size + 1, MPI_DOUBLE, MPI_SUM, c->mpi);
            if (mpi_rc != MPI_SUCCESS) {
                error_mpi(__FILE__, __LINE__, __func__, "MPI_Allreduce", mpi_rc);
                rc = ERR_MPI;
            }
        }
        if (rc == 0) {
            double target = 0.0;
            int64_t n_doubles = 0;
            int senders = 0; /* workers that sent: each logged its message size */
            for (int k = 0; k < K; k++) {
                target += sums[3 * k + 1];
                senders += sums[3 * k + 2] > 0;
            }
            /* every worker sends messages of the same size */
            n_doubles = senders > 0 ? (int64_t)(sums[3 * c->size] / senders) : 0;
            c->stats.model_s =
                netmodel_async_time(m, sums, K, n_doubles, target, sums + 3 * c->size + 1);
        }
        free(sums);
        /* c->pending_work is kept: a worker paused by a checkpoint in the
         * middle of an update logs that work with the update */
        return rc;
    }
    /* Work since the last collective on a single node (saga has none) is one
     * more segment without network cost.  With K > 1 every rank ends a round
     * with a collective, and the logs must have equal lengths. */
    if (c->pending_work > 0 && c->size == 1) {
        TRY(netmodel_before_collective(m, c, 0));
        m->network_log[m->n_logged - 1] = 0.0;
    }
    if (m->n_logged == 0)
        return 0;
    if (c->mpi != MPI_COMM_NULL && c->size > 1) {
        if (m->n_logged > INT32_MAX)
            FAIL(ERR_INTERNAL, "network model log too long");
        MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, m->compute_log, (int)m->n_logged, MPI_DOUBLE, MPI_MAX,
                              c->mpi));
    }
    for (int64_t r = 0; r < m->n_logged; r++)
        c->stats.model_s += m->compute_log[r] + m->network_log[r];
    m->n_logged = 0;
    return 0;
}
