#pragma once
// Huffman code lengths for a stream of symbols, the last stage of Deep Compression (it takes
// LeNet-300-100 from about 30x to 40x): frequent codebook indices and short gaps get short
// codes. Only the lengths are needed to count bytes; a canonical code is rebuilt from them.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// frequencies (alphabet) -> code length in bits per symbol (0 for absent symbols; 1 when
// only one symbol occurs, so every occurrence still takes a bit).
std::vector<int> huffman_code_lengths(const std::vector<std::uint64_t>& frequencies);

// Total bits of the coded stream: sum of frequency x length.
std::uint64_t huffman_stream_bits(const std::vector<std::uint64_t>& frequencies);

// Bytes to store the canonical code table: one byte (the length) per alphabet symbol.
inline std::size_t huffman_table_bytes(std::size_t alphabet) {
  return alphabet;
}

}  // namespace poda
