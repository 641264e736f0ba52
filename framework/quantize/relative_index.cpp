#include "quantize/relative_index.h"

#include <stdexcept>
#include <string>

namespace poda {

namespace {

std::uint32_t filler_code(int index_bits) {
  if (index_bits < 1 || index_bits > 16)
    throw std::invalid_argument("relative indices: index_bits = " + std::to_string(index_bits) +
                                " (expected 1 to 16)");
  return (std::uint32_t{1} << index_bits) - 1;
}

// Calls on_filler() per filler and on_entry(gap) per stored weight, in stream order.
template <class OnFiller, class OnEntry>
void walk(const std::vector<std::size_t>& positions, int index_bits, OnFiller on_filler,
          OnEntry on_entry) {
  const std::size_t longest = filler_code(index_bits);  // the longest gap one code holds
  std::size_t previous = 0;                             // position + 1 of the last entry
  bool first = true;
  for (std::size_t p : positions) {
    if (!first && p + 1 <= previous)
      throw std::invalid_argument("relative indices: positions are not strictly ascending at " +
                                  std::to_string(p));
    first = false;
    std::size_t gap = p + 1 - previous;
    for (; gap > longest; gap -= longest) on_filler();
    on_entry(gap);
    previous = p + 1;
  }
}

}  // namespace

std::vector<std::uint32_t> encode_relative_indices(const std::vector<std::size_t>& positions,
                                                   int index_bits) {
  const std::uint32_t filler = filler_code(index_bits);
  std::vector<std::uint32_t> codes;
  codes.reserve(positions.size());
  walk(
      positions, index_bits, [&] { codes.push_back(filler); },
      [&](std::size_t gap) { codes.push_back(static_cast<std::uint32_t>(gap - 1)); });
  return codes;
}

std::vector<std::size_t> decode_relative_indices(const std::vector<std::uint32_t>& codes,
                                                 int index_bits) {
  const std::uint32_t filler = filler_code(index_bits);
  std::vector<std::size_t> positions;
  std::size_t next = 0;  // position + 1 of the last entry
  for (std::uint32_t c : codes) {
    if (c > filler)
      throw std::invalid_argument("relative indices: code " + std::to_string(c) +
                                  " needs more than " + std::to_string(index_bits) + " bits");
    if (c == filler) {
      next += filler;
      continue;
    }
    next += c + 1;
    positions.push_back(next - 1);
  }
  return positions;
}

std::size_t count_fillers(const std::vector<std::size_t>& positions, int index_bits) {
  std::size_t fillers = 0;
  walk(
      positions, index_bits, [&] { ++fillers; }, [](std::size_t) {});
  return fillers;
}

}  // namespace poda
