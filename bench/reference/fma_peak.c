/* The fp32 multiply-add peak of one core, as a yardstick for the dense figures of issue 21's
 * speed table: a dense layer's time can not go below MACs / peak, whoever computes it, so a
 * ratio against a peer that already runs near the peak can not grow by a faster kernel.
 * Runs 12 independent FMA chains (enough to cover FMA latency times the FMA pipes) of one
 * vector width and prints the MACs per second and per microsecond, median of 7 readings of
 * CPU time (the machine may be shared). Reference tooling, not part of poda's build:
 *   gcc -O2 -mavx512f -mfma -o fma_peak bench/reference/fma_peak.c && ./fma_peak avx2|avx512 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define CHAINS 12
#define FMA_LOOP(V, FMADD, SET1, ADD, STORE, LANES)                                   \
  do {                                                                                \
    V acc[CHAINS];                                                                    \
    const V a = SET1(0.999999f), b = SET1(1e-7f);                                     \
    for (int c = 0; c < CHAINS; ++c) acc[c] = SET1((float)c);                         \
    for (long i = 0; i < iters; ++i) {                                                \
      _Pragma("GCC unroll 12") for (int c = 0; c < CHAINS; ++c) acc[c] =             \
          FMADD(acc[c], a, b);                                                        \
    }                                                                                 \
    V s = acc[0];                                                                     \
    for (int c = 1; c < CHAINS; ++c) s = ADD(s, acc[c]);                              \
    float out[16];                                                                    \
    STORE(out, s);                                                                    \
    sink += out[0];                                                                   \
    lanes = LANES;                                                                    \
  } while (0)

__attribute__((target("avx2,fma"))) static float run_avx2(long iters, int *out_lanes) {
  float sink = 0;
  int lanes;
  FMA_LOOP(__m256, _mm256_fmadd_ps, _mm256_set1_ps, _mm256_add_ps, _mm256_storeu_ps, 8);
  *out_lanes = lanes;
  return sink;
}

__attribute__((target("avx512f"))) static float run_avx512(long iters, int *out_lanes) {
  float sink = 0;
  int lanes;
  FMA_LOOP(__m512, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_add_ps, _mm512_storeu_ps, 16);
  *out_lanes = lanes;
  return sink;
}

static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  const int wide = argc > 1 && strcmp(argv[1], "avx512") == 0;
  if (wide && !__builtin_cpu_supports("avx512f")) {
    fprintf(stderr, "fma_peak: this CPU has no AVX-512F\n");
    return 1;
  }
  const long iters = 20000000;
  double rates[7];
  float sink = 0;
  int lanes = 0;
  for (int r = 0; r < 7; ++r) {
    const double t0 = cpu_seconds();
    sink += wide ? run_avx512(iters, &lanes) : run_avx2(iters, &lanes);
    rates[r] = (double)iters * CHAINS * lanes / (cpu_seconds() - t0);
  }
  qsort(rates, 7, sizeof rates[0], cmp);
  printf("fma_peak %s: %.1f GMAC/s (%.0f MACs per us), median of 7 (sink %g)\n",
         wide ? "avx512" : "avx2", rates[3] * 1e-9, rates[3] * 1e-6, (double)sink);
  return 0;
}
