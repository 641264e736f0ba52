#pragma once
// Deterministic randomness for the data layer. SplitMix64 (Steele, Lea & Flood 2014, the
// seeder of xoshiro) is written out here, with our own unbiased uniform draw and
// Fisher-Yates, because std::uniform_int_distribution and std::shuffle are
// implementation-defined: the same seed would give other orders under another libstdc++.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace poda {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

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

 private:
  std::uint64_t state_;
};

// A seed for sub-stream `stream` of `seed`, e.g. (run seed, epoch); well mixed, so nearby
// inputs give unrelated streams.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  SplitMix64 a(stream);
  SplitMix64 b(seed ^ a.next());
  return b.next();
}

// Fisher-Yates, back to front.
inline void shuffle_in_place(std::vector<std::size_t>& v, SplitMix64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace poda
