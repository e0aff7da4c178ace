/*
 * comm.c - counted collectives (SPEC 4) over the run's communicator.
 */
#include "base/comm.h"

#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/netmodel.h"

int comm_init(struct comm *c, MPI_Comm mpi)
{
    c->mpi = mpi;
    c->rank = 0;
    c->size = 1;
    c->servers = 0;
    c->stats = (struct comm_stats){0, 0, 0.0, 0.0, 0, 0, 0.0};
    c->model = NULL;
    c->pending_work = 0.0;
    if (mpi == MPI_COMM_NULL)
        return 0; /* serial: size 1, no MPI */
    MPI_TRY(MPI_Comm_set_errhandler(mpi, MPI_ERRORS_RETURN));
    MPI_TRY(MPI_Comm_rank(mpi, &c->rank));
    MPI_TRY(MPI_Comm_size(mpi, &c->size));
    return 0;
}

int comm_allreduce_sum(struct comm *c, double *buf, int64_t n)
{
    if (c->model)
        TRY(netmodel_before_collective(c->model, c, n));
    double t0 = MPI_Wtime();
    if (c->mpi != MPI_COMM_NULL && c->size > 1) {
        if (n > INT32_MAX)
            FAIL(ERR_INTERNAL, "allreduce of %lld doubles exceeds an int count", (long long)n);
        MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, MPI_SUM, c->mpi));
    }
    c->stats.comm_s += MPI_Wtime() - t0;
    c->stats.rounds += 1;
    /* SPEC 4: 8 n bytes per node; a single node sends nothing */
    c->stats.bytes += c->size > 1 ? 8 * n * (int64_t)c->size : 0;
    return 0;
}

int comm_allgather(struct comm *c, const double *send, int64_t n, double *recv)
{
    if (c->model)
        TRY(netmodel_before_allgather(c->model, c, n * c->size));
    double t0 = MPI_Wtime();
    if (n > INT32_MAX)
        FAIL(ERR_INTERNAL, "allgather of %lld doubles exceeds an int count", (long long)n);
    if (c->mpi != MPI_COMM_NULL && c->size > 1)
        MPI_TRY(MPI_Allgather(send, (int)n, MPI_DOUBLE, recv, (int)n, MPI_DOUBLE, c->mpi));
    else if (recv != send)
        memcpy(recv, send, (size_t)n * sizeof *recv);
    c->stats.comm_s += MPI_Wtime() - t0;
    c->stats.rounds += 1;
    c->stats.bytes += 8 * n * (int64_t)c->size;
    return 0;
}

int comm_allgatherv(struct comm *c, const double *send, const int *counts, const int *displs,
                    double *recv)
{
    int64_t total = 0;
    for (int k = 0; k < c->size; k++)
        total += counts[k];
    if (c->model)
        TRY(netmodel_before_allgather(c->model, c, total));
    double t0 = MPI_Wtime();
    if (c->mpi != MPI_COMM_NULL && c->size > 1)
        MPI_TRY(MPI_Allgatherv(send, counts[c->rank], MPI_DOUBLE, recv, counts, displs, MPI_DOUBLE,
                               c->mpi));
    else if (recv + displs[0] != send)
        memcpy(recv + displs[0], send, (size_t)counts[0] * sizeof *recv);
    c->stats.comm_s += MPI_Wtime() - t0;
    c->stats.rounds += 1;
    c->stats.bytes += 8 * total;
    return 0;
}

int comm_allreduce_uncounted(struct comm *c, double *buf, int64_t n, MPI_Op op)
{
    if (c->mpi == MPI_COMM_NULL || c->size == 1)
        return 0;
    if (n > INT32_MAX)
        FAIL(ERR_INTERNAL, "allreduce of %lld doubles exceeds an int count", (long long)n);
    MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, op, c->mpi));
    return 0;
}

int comm_model_flush(struct comm *c)
{
    if (!c->model)
        return 0;
    TRY(netmodel_flush(c->model, c));
    return 0;
}

int comm_send(struct comm *c, const double *buf, int64_t n, int dest, int tag)
{
    if (n > INT32_MAX)
        FAIL(ERR_INTERNAL, "send of %lld doubles exceeds an int count", (long long)n);
    double t0 = MPI_Wtime();
    MPI_TRY(MPI_Send(buf, (int)n, MPI_DOUBLE, dest, tag, c->mpi));
    c->stats.comm_s += MPI_Wtime() - t0;
    c->stats.p2p_bytes += 8 * n; /* SPEC 4: payload bytes sent */
    return 0;
}

/* Waits for req without holding a core: spins for the first 50 us (the
 * reply of an idle server), then tests every 50 us.  Ranks are often
 * oversubscribed (5 on 2 cores, issue 19) and a blocking MPI_Recv would
 * busy-poll a core that a computing rank needs. */
int comm_wait(MPI_Request *req, MPI_Status *st)
{
    int flag = 0;
    double t0 = MPI_Wtime();
    for (;;) {
        MPI_TRY(MPI_Test(req, &flag, st));
        if (flag)
            return 0;
        if (MPI_Wtime() - t0 > 50e-6) {
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
        }
    }
}

int comm_recv(struct comm *c, double *buf, int64_t n, int source, int tag, MPI_Status *status)
{
    if (n > INT32_MAX)
        FAIL(ERR_INTERNAL, "receive of %lld doubles exceeds an int count", (long long)n);
    MPI_Status st;
    MPI_Request req;
    double t0 = MPI_Wtime();
    MPI_TRY(MPI_Irecv(buf, (int)n, MPI_DOUBLE, source, tag, c->mpi, &req));
    TRY(comm_wait(&req, &st));
    c->stats.comm_s += MPI_Wtime() - t0;
    if (status)
        *status = st;
    return 0;
}

int comm_totals(struct comm *c, struct comm_stats *out)
{
    *out = c->stats;
    double p2p[2] = {(double)c->stats.p2p_rounds, (double)c->stats.p2p_bytes};
    TRY(comm_allreduce_uncounted(c, p2p, 2, MPI_SUM));
    out->rounds += (int64_t)p2p[0];
    out->bytes += (int64_t)p2p[1];
    out->p2p_rounds = 0;
    out->p2p_bytes = 0;
    return 0;
}
