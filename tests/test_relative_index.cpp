#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "quantize/relative_index.h"

using namespace poda;

TEST_CASE("relative indices: gaps, and fillers when a gap overflows (3 bits)") {
  // 3 bits: codes 0..6 are gaps 1..7, code 7 a filler that advances 7 positions.
  SUBCASE("the paper's example shape: 1, 4, then a long gap to 15") {
    const std::vector<std::size_t> pos = {1, 4, 15};
    CHECK(encode_relative_indices(pos, 3) == std::vector<std::uint32_t>{1, 2, 7, 3});
    CHECK(count_fillers(pos, 3) == 1);
  }
  SUBCASE("boundaries: position 0 is gap 1; gap 7 fits, gap 8 needs a filler") {
    CHECK(encode_relative_indices({0}, 3) == std::vector<std::uint32_t>{0});
    CHECK(encode_relative_indices({6}, 3) == std::vector<std::uint32_t>{6});
    CHECK(encode_relative_indices({7}, 3) == std::vector<std::uint32_t>{7, 0});
    CHECK(encode_relative_indices({0, 22}, 3) == std::vector<std::uint32_t>{0, 7, 7, 7, 0});
  }
  SUBCASE("1 bit: every skipped position costs a filler") {
    CHECK(encode_relative_indices({0, 3}, 1) == std::vector<std::uint32_t>{0, 1, 1, 0});
  }
  CHECK(encode_relative_indices({}, 4).empty());
}

TEST_CASE("relative indices: decoding gives back the positions") {
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int bits : {1, 2, 3, 5, 8}) {
    for (double density : {0.5, 0.05, 0.001}) {
      CAPTURE(bits);
      CAPTURE(density);
      std::vector<std::size_t> pos;
      for (std::size_t i = 0; i < 20000; ++i)
        if (u(rng) < density) pos.push_back(i);
      const auto codes = encode_relative_indices(pos, bits);
      CHECK(decode_relative_indices(codes, bits) == pos);
      CHECK(codes.size() == pos.size() + count_fillers(pos, bits));
      for (std::uint32_t c : codes) CHECK(c < (1u << bits));
    }
  }
}

TEST_CASE("relative indices: bad input is refused") {
  CHECK_THROWS_AS(encode_relative_indices({3, 3}, 4), std::invalid_argument);
  CHECK_THROWS_AS(encode_relative_indices({5, 2}, 4), std::invalid_argument);
  CHECK_THROWS_AS(encode_relative_indices({1}, 0), std::invalid_argument);
  CHECK_THROWS_AS(encode_relative_indices({1}, 17), std::invalid_argument);
  CHECK_THROWS_AS(decode_relative_indices({8}, 3), std::invalid_argument);
}
