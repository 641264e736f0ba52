#pragma once
// Deep Compression's sparse format (Han, Mao & Dally 2016, section 2 and figure 2): the
// positions of a layer's stored weights, flattened row-major, are kept as gaps to the
// previous stored weight in a fixed number of bits; a gap too long for the bits is bridged
// by filler entries.
//
// Our variant of the filler: the paper stores a filler as an entry whose value is zero; we
// mark it by the all-ones index code instead, so a filler needs no value slot and decoding
// is unambiguous even when a stored value is itself zero. With b index bits:
//   code c in [0, 2^b - 2]   a stored weight, gap c + 1 from the previous entry
//   code 2^b - 1             a filler: advance 2^b - 1 positions, no value
// The first gap is counted from position -1 (a weight at position 0 has gap 1).
// Flattening the whole layer keeps it one stream: no per-row pointers are needed.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// positions: strictly ascending flat indices of the stored weights -> one code per entry
// (stored weights and fillers, in order). index_bits in [1, 16]; std::invalid_argument
// otherwise or when positions are not strictly ascending.
std::vector<std::uint32_t> encode_relative_indices(const std::vector<std::size_t>& positions,
                                                   int index_bits);

// The reverse: codes -> positions of the stored weights.
std::vector<std::size_t> decode_relative_indices(const std::vector<std::uint32_t>& codes,
                                                 int index_bits);

// How many fillers encode_relative_indices inserts, without building the codes.
std::size_t count_fillers(const std::vector<std::size_t>& positions, int index_bits);

}  // namespace poda
