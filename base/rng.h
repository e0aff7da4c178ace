/*
 * rng.h - the suite's one random number generator (STYLE 6): xoshiro256**
 * (Blackman & Vigna), seeded through splitmix64 from (seed, stream) so that
 * every rank and every purpose gets its own reproducible sequence.  Never
 * use rand().
 */
#ifndef DSAGA_RNG_H
#define DSAGA_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
};

/* Streams: distinct purposes draw from distinct sequences. */
enum {
    RNG_STREAM_SAMPLING = 0x5a, /* + rank: the sample picks of an algorithm */
    RNG_STREAM_SHARD = 0x1000,  /* the partition of rows over nodes */
    RNG_STREAM_SYNTH = 0x2000,  /* synthetic data generators */
    RNG_STREAM_STRAGGLER = 0x3000,
    RNG_STREAM_COIN = 0x4000,    /* a coin every node draws alike (scaffnew's
                                  * communication steps, SPEC 3.7): never + rank */
    RNG_STREAM_REFRESH = 0x5000, /* + rank: scaffnew's anchor refreshes (SPEC 3.7) */
    RNG_STREAM_THIN = 0x6000,    /* + rank: the rows dsaga's refresh keeps
                                  * (refresh_fraction < 1, SPEC 3.2b) */
    RNG_STREAM_PREDICT = 0x7000  /* predict's simulated runs (seeded 1..S) */
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t rng_rotl_(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl_(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl_(s[3], 45);
    return result;
}

/* Uniform integer in [0, n), n >= 1, without modulo bias (Lemire 2019). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    __uint128_t m = (__uint128_t)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = (__uint128_t)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal deviate (Box-Muller; one draw per call, deterministic). */
double rng_normal(struct rng *r);

/* The number of successes in n independent trials of chance p (0 for n <=
 * 0 or p <= 0, n for p >= 1): exact, by the geometric gaps between the
 * rarer outcomes, so it costs n min(p, 1 - p) draws. */
int64_t rng_binomial(struct rng *r, int64_t n, double p);

#endif
