/*
 * fstar.c - the exact optimum f* of SPEC 1 and its disk cache.
 *
 * Solver: truncated Newton (Newton-CG).  Each outer iteration solves
 * H s = -g by conjugate gradients with a Jacobi preconditioner
 * (diag H = lambda + (1/N) sum_i loss''_i x_ij^2, as liblinear's TRON since
 * 2.20) to a relative residual eta_k = min(0.5, sqrt(||g|| / ||g_0||)),
 * which gives superlinear convergence, then backtracks on the Armijo
 * condition from the full step.  It stops at ||grad f(w)|| <= rel_tol
 * ||grad f(0)|| (SPEC 1: rel_tol = 1e-12).
 *
 * Round-off.  Near the optimum f changes by ~||g||^2 / lambda, far below
 * the few ulps of f itself, so Armijo cannot tell a good step from a bad
 * one.  A step whose f change is within the noise of f is then accepted
 * when it reduces the (compensated, see objective.c) gradient norm.  When
 * no step does, or the gradient stops falling, the gradient has hit its
 * round-off floor: ERR_NUMERIC, naming the relative norm reached, rather
 * than looping.  Everything is deterministic: fixed loop orders,
 * OPENBLAS_NUM_THREADS = 1 (Makefile).
 *
 * Cache: one line per optimum in $DSAGA_CACHE/fstar.tsv,
 *   checksum TAB loss TAB lambda TAB bias TAB fstar TAB grad_norm TAB grad_norm0
 * numbers in %.17g (they round-trip exactly).  A line is appended with a
 * single write(2) on an O_APPEND descriptor, so concurrent ranks or
 * processes add whole lines; a line that does not parse (truncated,
 * hand-edited, another format) is ignored.
 */
#include "harness/fstar.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

/* ---- sums over the ranks that hold the rows (issue 18) ------------------
 *
 * With a communicator of more than one rank, each rank holds a part of the
 * rows (its shard; N = n_total rows in all) and every sum over rows is its
 * local part summed over the ranks.  The sum is a reduce to rank 0 and a
 * broadcast, so every rank holds the same bits and takes the same branch
 * in every test below (an allreduce need not give identical bits on every
 * rank); a single process (MPI_COMM_NULL or one rank) computes exactly
 * what it did before, bit for bit. */

struct fs_dist {
    MPI_Comm comm; /* MPI_COMM_NULL: a single process */
    int rank;
};

static int fs_sum(const struct fs_dist *c, double *buf, int64_t n)
{
    if (c->comm == MPI_COMM_NULL)
        return 0;
    MPI_TRY(MPI_Reduce(c->rank == 0 ? MPI_IN_PLACE : buf, buf, (int)n, MPI_DOUBLE, MPI_SUM, 0,
                       c->comm));
    MPI_TRY(MPI_Bcast(buf, (int)n, MPI_DOUBLE, 0, c->comm));
    return 0;
}

enum {
    FSTAR_MAX_NEWTON = 200,  /* outer iterations; Newton needs ~10-30 */
    FSTAR_MAX_HALVINGS = 60, /* backtracking steps: t down to 2^-60 */
    FSTAR_MAX_STALLS = 5     /* round-off-level iterations without progress */
};

static double norm2(int64_t d, const double *v)
{
    return cblas_dnrm2((int)d, v, 1);
}

static double dot(int64_t d, const double *a, const double *b)
{
    return cblas_ddot((int)d, a, 1, b, 1);
}

/* Jacobi preconditioner: diag_j = lambda + (1/N) sum_i loss''(y_i, z_i) x_ij^2. */
static int hessian_diag(const struct problem *p, const struct fs_dist *c, const double *z,
                        double *diag)
{
    const struct dataset *ds = p->data;
    const double inv_n = 1.0 / (double)p->n_total;
    for (int64_t j = 0; j < ds->n_features; j++)
        diag[j] = 0.0;
    for (int64_t i = 0; i < ds->n_samples; i++) {
        double h = loss_deriv2(p->loss, ds->y[i], z[i]) * inv_n;
        for (int64_t k = ds->row_ptr[i]; k < ds->row_ptr[i + 1]; k++)
            diag[ds->col_idx[k]] += h * ds->values[k] * ds->values[k];
    }
    TRY(fs_sum(c, diag, ds->n_features));
    for (int64_t j = 0; j < ds->n_features; j++)
        diag[j] += p->lambda;
    return 0;
}

/* f(w) and its gradient into g (d + 1 entries: the last is scratch). */
static int fs_value(const struct problem *p, const struct fs_dist *c, const double *w, double *g,
                    double *f)
{
    const int64_t d = p->data->n_features;
    if (c->comm == MPI_COMM_NULL) {
        *f = objective_value(p, w, g);
        return 0;
    }
    /* objective_value, with the row sums summed over ranks */
    g[d] = objective_local(p, w, g, NULL);
    TRY(fs_sum(c, g, d + 1));
    *f = objective_regularise(p, w, g[d], g);
    return 0;
}

/* out = H v at margins z. */
static int fs_hvp(const struct problem *p, const struct fs_dist *c, const double *z,
                  const double *v, double *out, double *tmp)
{
    if (c->comm == MPI_COMM_NULL) {
        objective_hvp(p, z, v, out, tmp);
        return 0;
    }
    struct problem rows = *p;
    rows.lambda = 0.0; /* the row sums only, then + lambda v once */
    const int64_t d = p->data->n_features;
    objective_hvp(&rows, z, v, out, tmp);
    TRY(fs_sum(c, out, d));
    for (int64_t j = 0; j < d; j++)
        out[j] += p->lambda * v[j];
    return 0;
}

/* Preconditioned CG on H s = -g at margins z, to ||r|| <= tol.  Scratch:
 * r, pdir, hp, mr (d), tmp (n).  Returns the CG iterations made. */
static int newton_direction(const struct problem *p, const struct fs_dist *c, const double *z,
                            const double *g, const double *diag, double tol, int max_cg, double *s,
                            double *r, double *pdir, double *hp, double *mr, double *tmp)
{
    const int64_t d = p->data->n_features;
    for (int64_t j = 0; j < d; j++) {
        s[j] = 0.0;
        r[j] = -g[j];
        mr[j] = r[j] / diag[j];
        pdir[j] = mr[j];
    }
    double rz = dot(d, r, mr);
    int it = 0;
    while (it < max_cg && norm2(d, r) > tol) {
        if (fs_hvp(p, c, z, pdir, hp, tmp) < 0)
            return -1;
        double php = dot(d, pdir, hp);
        if (!(php > 0.0)) /* lambda = 0 and a flat direction: keep s */
            break;
        double alpha = rz / php;
        cblas_daxpy((int)d, alpha, pdir, 1, s, 1);
        cblas_daxpy((int)d, -alpha, hp, 1, r, 1);
        for (int64_t j = 0; j < d; j++)
            mr[j] = r[j] / diag[j];
        double rz_new = dot(d, r, mr);
        double beta = rz_new / rz;
        rz = rz_new;
        for (int64_t j = 0; j < d; j++)
            pdir[j] = mr[j] + beta * pdir[j];
        it++;
    }
    if (it == 0 && dot(d, s, s) == 0.0) /* no CG step taken: steepest descent */
        for (int64_t j = 0; j < d; j++)
            s[j] = -g[j] / diag[j];
    return it;
}

int fstar_solve(const struct problem *p, double rel_tol, double *w, struct fstar_result *out)
{
    return fstar_solve_mpi(p, MPI_COMM_NULL, rel_tol, w, out);
}

int fstar_solve_mpi(const struct problem *p_in, MPI_Comm comm, double rel_tol, double *w_out,
                    struct fstar_result *out)
{
    int rc = 0;
    double *mem = NULL;
    struct problem p = *p_in;
    struct fs_dist c = {MPI_COMM_NULL, 0};
    int size = 1;
    if (comm != MPI_COMM_NULL && MPI_Comm_size(comm, &size) == MPI_SUCCESS && size > 1) {
        c.comm = comm;
        MPI_Comm_rank(comm, &c.rank);
    } else {
        p.n_total = p.data->n_samples; /* N = the rows held (fstar.h) */
    }
    const int64_t n = p.data->n_samples; /* rows held here */
    const int64_t d = p.data->n_features;
    memset(out, 0, sizeof *out);
    if (p.n_total <= 0 || d <= 0)
        FAIL(ERR_INPUT, "f* of an empty problem (%lld rows, %lld features)", (long long)p.n_total,
             (long long)d);

    mem = calloc((size_t)(10 * d + 2 + 2 * n), sizeof *mem);
    if (c.comm != MPI_COMM_NULL) { /* every rank goes on, or none */
        int ok = mem != NULL;
        MPI_TRY_GOTO(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, c.comm));
        if (!ok)
            FAIL_GOTO(ERR_NOMEM, "Newton-CG vectors for d = %lld, n = %lld (on some rank)",
                      (long long)d, (long long)n);
    }
    if (!mem)
        FAIL(ERR_NOMEM, "Newton-CG vectors for d = %lld, n = %lld", (long long)d, (long long)n);
    double *w = mem;        /* iterate */
    double *g = w + d;      /* grad f(w), then one scratch entry */
    double *s = g + d + 1;  /* Newton direction */
    double *r = s + d;      /* CG residual */
    double *pdir = r + d;   /* CG search direction */
    double *hp = pdir + d;  /* H pdir */
    double *mr = hp + d;    /* preconditioned residual */
    double *diag = mr + d;  /* Jacobi preconditioner */
    double *wt = diag + d;  /* trial point */
    double *gt = wt + d;    /* grad f(trial point), then one scratch entry */
    double *z = gt + d + 1; /* margins at w */
    double *tmp = z + n;    /* HVP scratch */
    const int max_cg = (int)(d < 25 ? 50 : (d > 5000 ? 10000 : 2 * d));

    double f = 0.0;
    TRY_GOTO(fs_value(&p, &c, w, g, &f));
    double gn = norm2(d, g);
    const double gn0 = gn;
    const double target = rel_tol * gn0;
    int iter = 0;
    int stalls = 0;
    double best_gn = gn;
    if (!isfinite(f) || !isfinite(gn))
        FAIL_GOTO(ERR_NUMERIC, "f or its gradient is not finite at w = 0 (f = %g)", f);

    while (gn > target) {
        if (iter >= FSTAR_MAX_NEWTON)
            FAIL_GOTO(ERR_NUMERIC,
                      "Newton-CG: %d iterations without reaching ||g||/||g0|| <= %g "
                      "(reached %.3g)",
                      iter, rel_tol, gn / gn0);
        objective_margins(&p, w, z);
        TRY_GOTO(hessian_diag(&p, &c, z, diag));
        /* Forcing term eta = min(0.5, sqrt(||g|| / ||g0||)): superlinear.  The
         * squared loss is a quadratic: one exact Newton step, CG run to half
         * the target so the step lands within it. */
        double cg_tol = p.loss == LOSS_SQUARED ? 0.5 * target : fmin(0.5, sqrt(gn / gn0)) * gn;
        if (newton_direction(&p, &c, z, g, diag, cg_tol, max_cg, s, r, pdir, hp, mr, tmp) < 0)
            FAIL_GOTO(ERR_MPI, "f*: Newton-CG direction");
        double gts = dot(d, g, s);
        if (!(gts < 0.0)) /* round-off made the direction useless */
            FAIL_GOTO(ERR_NUMERIC,
                      "Newton-CG: no descent direction at ||g||/||g0|| = %.3g (round-off floor "
                      "above the tolerance %g)",
                      gn / gn0, rel_tol);

        /* Backtracking (Armijo, c = 1e-4) from the full Newton step. */
        const double noise = 64.0 * DBL_EPSILON * fabs(f); /* f's round-off */
        double t = 1.0;
        double ft = 0.0;
        double gnt = 0.0;
        int accepted = 0;
        for (int h = 0; h < FSTAR_MAX_HALVINGS && !accepted; h++, t *= 0.5) {
            for (int64_t j = 0; j < d; j++)
                wt[j] = w[j] + t * s[j];
            TRY_GOTO(fs_value(&p, &c, wt, gt, &ft));
            gnt = norm2(d, gt);
            if (!isfinite(ft) || !isfinite(gnt))
                continue;
            if (ft <= f + 1e-4 * t * gts || (ft <= f + noise && gnt < gn))
                accepted = 1;
        }
        if (!accepted)
            FAIL_GOTO(ERR_NUMERIC,
                      "Newton-CG: line search failed at ||g||/||g0|| = %.3g: round-off floor "
                      "above the tolerance %g",
                      gn / gn0, rel_tol);
        /* In the round-off regime (f changes within its noise) only a
         * halving of the best gradient norm counts as progress. */
        if (ft < f - noise || gnt < 0.5 * best_gn)
            stalls = 0;
        else
            stalls++;
        best_gn = fmin(best_gn, gnt);
        memcpy(w, wt, (size_t)d * sizeof *w);
        memcpy(g, gt, (size_t)d * sizeof *g);
        f = ft;
        gn = gnt;
        iter++;
        if (gn > target && stalls >= FSTAR_MAX_STALLS)
            FAIL_GOTO(ERR_NUMERIC,
                      "Newton-CG: gradient stalled at ||g||/||g0|| = %.3g for %d iterations: "
                      "round-off floor above the tolerance %g",
                      gn / gn0, stalls, rel_tol);
    }

    out->fstar = f;
    out->grad_norm = gn;
    out->grad_norm0 = gn0;
    out->iterations = iter;
    out->from_cache = 0;
    if (w_out)
        memcpy(w_out, w, (size_t)d * sizeof *w);
done:
    free(mem);
    return rc;
}

/* mkdir -p; 0 or ERR_IO. */
static int make_dirs(char *path)
{
    for (char *c = path + 1;; c++) {
        if (*c != '/' && *c != '\0')
            continue;
        char saved = *c;
        *c = '\0';
        int bad = mkdir(path, 0755) != 0 && errno != EEXIST;
        int err = errno;
        *c = saved;
        if (bad)
            FAIL(ERR_IO, "cannot create %s: %s", path, strerror(err));
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        FAIL(ERR_IO, "%s is not a directory", path);
    return 0;
}

int fstar_cache_dir(char *buf, size_t size)
{
    const char *env = getenv("DSAGA_CACHE");
    const char *home = getenv("HOME");
    int len;
    if (env && env[0])
        len = snprintf(buf, size, "%s", env);
    else if (home && home[0])
        len = snprintf(buf, size, "%s/.cache/dsaga-bench", home);
    else
        FAIL(ERR_IO, "neither DSAGA_CACHE nor HOME is set: no cache directory");
    if (len < 0 || (size_t)len >= size)
        FAIL(ERR_IO, "cache directory path too long");
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';
    TRY(make_dirs(buf));
    return 0;
}

/* Parses a full number field; 0 on success. */
static int parse_field(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtod(text, &end);
    return end == text || *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* One cache line (with its '\n') against the key; 1 and *res on a match of
 * a well-formed line, 0 otherwise (other key, or corrupt: ignored). */
static int cache_line_match(char *line, const char *checksum, const char *loss, double lambda,
                            double bias, struct fstar_result *res)
{
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') /* truncated by a crash: ignore */
        return 0;
    line[len - 1] = '\0';
    char *field[7];
    int nf = 0;
    char *c = line;
    field[nf++] = c;
    for (; *c; c++) {
        if (*c != '\t')
            continue;
        if (nf == 7)
            return 0;
        *c = '\0';
        field[nf++] = c + 1;
    }
    if (nf != 7 || strcmp(field[0], checksum) != 0 || strcmp(field[1], loss) != 0)
        return 0;
    double v[5];
    for (int k = 0; k < 5; k++)
        if (parse_field(field[2 + k], &v[k]) != 0)
            return 0;
    if (v[0] != lambda || v[1] != bias)
        return 0;
    /* An entry must be a converged optimum (SPEC 1), else it is not trusted. */
    if (!isfinite(v[2]) || !(v[3] >= 0.0) || !(v[4] >= 0.0) || !(v[3] <= 1e-12 * v[4] * 1.0001))
        return 0;
    res->fstar = v[2];
    res->grad_norm = v[3];
    res->grad_norm0 = v[4];
    res->iterations = 0;
    res->from_cache = 1;
    return 1;
}

/* Looks the key up in path: *hit = 1 and *out on a match; *ends_open when
 * the file ends in a partial line.  A missing file is no match. */
static int cache_lookup(const char *path, const char *checksum, const char *loss, double lambda,
                        double bias, int *hit, int *ends_open, struct fstar_result *out)
{
    int rc = 0;
    char *line = NULL;
    size_t cap = 0;
    *hit = 0;
    *ends_open = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno != ENOENT)
            FAIL(ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    ssize_t got;
    while ((got = getline(&line, &cap, fp)) >= 0) {
        *ends_open = got > 0 && line[got - 1] != '\n';
        if (cache_line_match(line, checksum, loss, lambda, bias, out)) {
            *hit = 1;
            break;
        }
    }
    fclose(fp);
    free(line);
    return rc;
}

/* Appends one entry.  After a partial line (a writer that crashed), closes
 * it with "#\n": the '#' spoils its last field, so the partial line, which
 * may end inside a number, can never parse as an entry; ours starts
 * afresh.  One write on O_APPEND: concurrent writers add whole lines.  A
 * cache that cannot be written costs a re-solve next time, not this run:
 * the failure is reported and f* returned. */
static int cache_append(const char *path, int ends_open, const char *checksum, const char *loss,
                        double lambda, double bias, const struct fstar_result *res)
{
    char entry[512];
    int len = snprintf(entry, sizeof entry, "%s%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n",
                       ends_open ? "#\n" : "", checksum, loss, lambda, bias, res->fstar,
                       res->grad_norm, res->grad_norm0);
    if (len < 0 || (size_t)len >= sizeof entry)
        FAIL(ERR_INTERNAL, "cache line too long for checksum %s", checksum);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    ssize_t wrote = -1;
    int werr = errno;
    if (fd >= 0) {
        wrote = write(fd, entry, (size_t)len);
        werr = errno;
        if (close(fd) != 0 && wrote == len) {
            werr = errno;
            wrote = -1;
        }
    }
    if (wrote != len)
        error_report(__FILE__, __LINE__, __func__, "f* not cached: cannot append to %s: %s", path,
                     strerror(werr));
    return 0;
}

int fstar_cached(const struct problem *p, double bias, struct fstar_result *out)
{
    return fstar_cached_mpi(p, bias, MPI_COMM_NULL, out);
}

int fstar_cached_mpi(const struct problem *p, double bias, MPI_Comm comm, struct fstar_result *out)
{
    char dir[4096];
    char path[4200];
    const char *checksum = p->data->checksum;
    /* the labels are part of the problem (SPEC 1): squared loss on -1/+1
     * labels has its own key, so entries written when binary sets were
     * solved on raw labels (before issue 14) are never read for it */
    const char *loss =
        p->loss == LOSS_SQUARED && p->data->labels_pm1 ? "squared:pm1" : loss_name(p->loss);
    const double rel_tol = 1e-12; /* SPEC 1 */
    int rank = 0;
    if (comm != MPI_COMM_NULL)
        MPI_Comm_rank(comm, &rank);

    /* Data without an identity (built in memory) or with one that would
     * break the line format is solved every time. */
    if (checksum[0] == '\0' || strpbrk(checksum, "\t\n\r")) {
        TRY(fstar_solve_mpi(p, comm, rel_tol, NULL, out));
        return 0;
    }
    /* Rank 0 reads the cache and tells the others: {rc, hit, ends_open,
     * fstar, grad_norm, grad_norm0}. */
    double msg[6] = {0, 0, 0, 0, 0, 0};
    if (rank == 0) {
        int hit = 0;
        int ends_open = 0;
        int rc = fstar_cache_dir(dir, sizeof dir);
        if (rc == 0) {
            snprintf(path, sizeof path, "%s/fstar.tsv", dir);
            rc = cache_lookup(path, checksum, loss, p->lambda, bias, &hit, &ends_open, out);
        }
        msg[0] = rc;
        msg[1] = hit;
        msg[2] = ends_open;
        msg[3] = out->fstar;
        msg[4] = out->grad_norm;
        msg[5] = out->grad_norm0;
    }
    if (comm != MPI_COMM_NULL)
        MPI_TRY(MPI_Bcast(msg, 6, MPI_DOUBLE, 0, comm));
    TRY((int)msg[0]);
    if (msg[1] != 0) {
        memset(out, 0, sizeof *out);
        out->fstar = msg[3];
        out->grad_norm = msg[4];
        out->grad_norm0 = msg[5];
        out->from_cache = 1;
        return 0;
    }
    TRY(fstar_solve_mpi(p, comm, rel_tol, NULL, out));
    if (rank == 0)
        TRY(cache_append(path, msg[2] != 0, checksum, loss, p->lambda, bias, out));
    return 0;
}
