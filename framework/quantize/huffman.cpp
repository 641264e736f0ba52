#include "quantize/huffman.h"

#include <functional>
#include <queue>
#include <utility>

namespace poda {

std::vector<int> huffman_code_lengths(const std::vector<std::uint64_t>& frequencies) {
  const std::size_t n = frequencies.size();
  std::vector<int> length(n, 0);
  // Nodes 0..n-1 are the symbols, later ones the merged subtrees; parent links give depths.
  std::vector<std::size_t> parent;
  using Item = std::pair<std::uint64_t, std::size_t>;  // (weight, node); ties by node id
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  for (std::size_t s = 0; s < n; ++s)
    if (frequencies[s] > 0) heap.push({frequencies[s], s});
  parent.resize(n);
  for (std::size_t s = 0; s < n; ++s) parent[s] = s;  // a root is its own parent
  if (heap.size() == 1) {
    length[heap.top().second] = 1;
    return length;
  }
  while (heap.size() > 1) {
    const Item a = heap.top();
    heap.pop();
    const Item b = heap.top();
    heap.pop();
    const std::size_t node = parent.size();
    parent.push_back(node);
    parent[a.second] = node;
    parent[b.second] = node;
    heap.push({a.first + b.first, node});
  }
  for (std::size_t s = 0; s < n; ++s) {
    if (frequencies[s] == 0) continue;
    for (std::size_t v = s; parent[v] != v; v = parent[v]) ++length[s];
  }
  return length;
}

std::uint64_t huffman_stream_bits(const std::vector<std::uint64_t>& frequencies) {
  const std::vector<int> length = huffman_code_lengths(frequencies);
  std::uint64_t bits = 0;
  for (std::size_t s = 0; s < frequencies.size(); ++s)
    bits += frequencies[s] * static_cast<std::uint64_t>(length[s]);
  return bits;
}

}  // namespace poda
