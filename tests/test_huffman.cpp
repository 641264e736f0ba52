#include <doctest/doctest.h>

#include <vector>

#include "quantize/huffman.h"

using namespace poda;

TEST_CASE("huffman: the textbook example (CLRS 16.3) costs 224 bits") {
  const std::vector<std::uint64_t> freq = {45, 13, 12, 16, 9, 5};
  const std::vector<int> len = huffman_code_lengths(freq);
  CHECK(len == std::vector<int>{1, 3, 3, 3, 4, 4});
  CHECK(huffman_stream_bits(freq) == 224);
}

TEST_CASE("huffman: degenerate alphabets") {
  CHECK(huffman_code_lengths({0, 7, 0}) == std::vector<int>{0, 1, 0});  // one symbol: 1 bit
  CHECK(huffman_stream_bits({0, 7, 0}) == 7);
  CHECK(huffman_code_lengths({3, 3}) == std::vector<int>{1, 1});
  CHECK(huffman_stream_bits({0, 0}) == 0);
  // Uniform over 8 symbols: 3 bits each, as a fixed-width code.
  CHECK(huffman_stream_bits(std::vector<std::uint64_t>(8, 10)) == 8 * 10 * 3);
}

TEST_CASE("huffman: lengths satisfy Kraft's equality for a full tree") {
  const std::vector<std::uint64_t> freq = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 0, 89};
  const std::vector<int> len = huffman_code_lengths(freq);
  double kraft = 0.0;
  for (int l : len)
    if (l > 0) kraft += 1.0 / static_cast<double>(1ull << l);
  CHECK(kraft == doctest::Approx(1.0));
  CHECK(huffman_table_bytes(12) == 12);
}
