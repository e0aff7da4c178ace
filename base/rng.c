/* rng.c - seeding and the normal deviate of rng.h. */
#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

double rng_normal(struct rng *r)
{
    double u1 = 1.0 - rng_uniform(r); /* in (0, 1]: log is finite */
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int64_t rng_binomial(struct rng *r, int64_t n, double p)
{
    if (n <= 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    /* count the rarer outcome: the gaps between its successive trials are
     * geometric, floor(log U / log(1 - p)) failures each, so the cost is
     * the count, not n */
    double pr = p <= 0.5 ? p : 1.0 - p;
    double lq = log1p(-pr);
    int64_t k = 0, at = 0;
    for (;;) {
        double u = 1.0 - rng_uniform(r); /* in (0, 1]: log is finite */
        double gap = floor(log(u) / lq);
        if (gap >= (double)(n - at))
            break;
        at += (int64_t)gap + 1;
        k++;
        if (at >= n)
            break;
    }
    return p <= 0.5 ? k : n - k;
}
