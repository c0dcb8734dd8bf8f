/* Deterministic pseudo-random numbers for the demo generator: xoshiro256** seeded through
 * splitmix64, never libc rand(), so a seed gives the same business on every libc. */
#ifndef SCO_DEMOGEN_RNG_H
#define SCO_DEMOGEN_RNG_H

#include <stdint.h>

struct dg_rng {
    uint64_t s[4];
};

/* Seeds a stream from (seed, stream): each concern of the generator draws from its own
 * stream so that changing one table does not reshuffle the others. */
void dg_rng_seed(struct dg_rng *r, uint64_t seed, uint64_t stream);
uint64_t dg_rng_next(struct dg_rng *r);
/* Uniform on [0, 1) with 53 random bits. */
double dg_unif(struct dg_rng *r);
/* Uniform on [lo, hi). */
double dg_range(struct dg_rng *r, double lo, double hi);
/* Uniform integer on [lo, hi], both inclusive. */
int dg_int(struct dg_rng *r, int lo, int hi);
/* 1 with probability p. */
int dg_bern(struct dg_rng *r, double p);
double dg_normal(struct dg_rng *r);
/* exp(N(mu, sigma)) */
double dg_lognormal(struct dg_rng *r, double mu, double sigma);
/* Gamma(shape, 1), Marsaglia-Tsang. */
double dg_gamma(struct dg_rng *r, double shape);
/* Poisson(lambda): multiplication for small lambda, Hoermann's PTRS above. */
int dg_poisson(struct dg_rng *r, double lambda);
/* Negative binomial with mean mu and size k (variance mu + mu^2 / k) as a gamma-Poisson
 * mixture. */
int dg_negbin(struct dg_rng *r, double mu, double k);
/* Index in [0, n) drawn with probability w[i] / sum(w); -1 when all weights are zero. */
int dg_pick(struct dg_rng *r, const double *w, int n);

#endif
