/*
 * smoothness.c - L of SPEC 3.5 by a power iteration (see smoothness.h),
 * moved here from gd.c so that gd and scaffnew share one estimate.
 */
#include "algorithms/smoothness.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"

#define SMOOTHNESS_POWER_ITERS  200  /* at most */
#define SMOOTHNESS_POWER_RTOL   1e-6 /* stop when the Rayleigh quotient moves less */
#define SMOOTHNESS_POWER_MARGIN 1.01 /* lambda_max estimate inflated by 1 % */

/* The caller receives L; on failure *l_out is untouched. */
int smoothness_l(const struct run_ctx *ctx, double *l_out)
{
    int rc = 0;
    const struct dataset *ds = ctx->shard;
    int64_t d = ctx->n_features;
    int64_t n = ds->n_samples;
    double *v = malloc((size_t)(2 * d + 1) * sizeof *v);
    double *u = malloc((size_t)(n > 0 ? n : 1) * sizeof *u);
    if (!v || !u)
        FAIL_GOTO(ERR_NOMEM, "power iteration on %lld features", (long long)d);
    double *av = v + d;
    /* safe bound: lambda_max(X^T X) <= ||X||_F^2 */
    double frob = 0.0;
    for (int64_t p = 0; p < ds->row_ptr[n]; p++)
        frob += ds->values[p] * ds->values[p];
    TRY_GOTO(comm_allreduce_uncounted(ctx->comm, &frob, 1, MPI_SUM));
    struct rng r;
    rng_seed(&r, 0x9d, RNG_STREAM_SAMPLING); /* fixed: identical on every node */
    for (int64_t j = 0; j < d; j++)
        v[j] = rng_uniform(&r) + 0.5; /* positive: not orthogonal to a nonnegative X's top vector */
    double est = 0.0;
    for (int it = 0; it < SMOOTHNESS_POWER_ITERS; it++) {
        double nv = cblas_dnrm2((int)d, v, 1);
        if (!(nv > 0))
            break;
        cblas_dscal((int)d, 1.0 / nv, v, 1);
        for (int64_t i = 0; i < n; i++) {
            double s = 0.0;
            for (int64_t p = ds->row_ptr[i]; p < ds->row_ptr[i + 1]; p++)
                s += ds->values[p] * v[ds->col_idx[p]];
            u[i] = s;
        }
        csr_xt(ds, u, av);
        TRY_GOTO(comm_allreduce_uncounted(ctx->comm, av, d, MPI_SUM));
        double rq = cblas_ddot((int)d, v, 1, av, 1); /* Rayleigh quotient, ||v|| = 1 */
        memcpy(v, av, (size_t)d * sizeof *v);
        int done_iter = fabs(rq - est) <= SMOOTHNESS_POWER_RTOL * rq;
        est = rq;
        if (done_iter)
            break;
    }
    double lam_max = fmin(SMOOTHNESS_POWER_MARGIN * est, frob);
    double L = loss_curvature(ctx->prob.loss) * lam_max / (double)ctx->n_total + ctx->prob.lambda;
    if (!(L > 0))
        FAIL_GOTO(ERR_INTERNAL, "smoothness L = %g is not positive", L);
    *l_out = L;
done:
    free(v);
    free(u);
    return rc;
}
