#pragma once
// The project's one pseudo-random generator: SplitMix64 (Steele, Lea & Flood 2014, the seeder
// of xoshiro), written out with our own conversions, unbiased integer draw and Fisher-Yates,
// because the standard distributions and std::shuffle are implementation-defined: a seed
// gives the same draws on every platform and standard library. Used for initialisation,
// dropout, random criteria and the data layer's shuffles, splits and augmentation.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace poda {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) for n > 0: rejects the lowest 2^64 mod n outputs so every residue
  // is equally likely.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t reject = (0 - n) % n;  // == 2^64 mod n
    std::uint64_t r = next();
    while (r < reject) r = next();
    return r % n;
  }

  // Uniform in [0, 1) with 24 random bits (exact in float).
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float low, float high) { return low + (high - low) * uniform(); }

  // Standard normal by Box-Muller (one value per call, the pair's second is discarded).
  float normal() {
    double u1 = (static_cast<double>(next() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }

 private:
  std::uint64_t state_;
};

// A seed for sub-stream `stream` of `seed`, e.g. (run seed, epoch); well mixed, so nearby
// inputs give unrelated streams.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  Rng a(stream);
  Rng b(seed ^ a.next());
  return b.next();
}

// Fisher-Yates, back to front.
inline void shuffle_in_place(std::vector<std::size_t>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace poda
