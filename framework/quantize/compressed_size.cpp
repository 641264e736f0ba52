#include "quantize/compressed_size.h"

#include <stdexcept>

#include "quantize/huffman.h"
#include "quantize/relative_index.h"

namespace poda {

namespace {

std::size_t bytes_of_bits(std::uint64_t bits) {
  return static_cast<std::size_t>((bits + 7) / 8);
}

void check_codes(const LayerCodes& layer) {
  for (std::int32_t c : layer.codes)
    if (c != kPrunedWeight && (c < 0 || static_cast<std::size_t>(c) >= layer.alphabet))
      throw std::invalid_argument("compressed size: layer '" + layer.name + "' has code " +
                                  std::to_string(c) + " outside [0, " +
                                  std::to_string(layer.alphabet) + ")");
  if (layer.value_bits < 1 || (std::size_t{1} << layer.value_bits) < layer.alphabet)
    throw std::invalid_argument("compressed size: layer '" + layer.name +
                                "': " + std::to_string(layer.value_bits) + " bits cannot hold " +
                                std::to_string(layer.alphabet) + " codes");
}

}  // namespace

LayerCodes kmeans_layer_codes(const std::string& name, const SharedWeights& shared, int index_bits,
                              std::size_t fp32_params) {
  LayerCodes l;
  l.name = name;
  l.codes = shared.assignment;
  l.alphabet = shared.centroids.size();
  l.value_bits = shared.bits;
  l.index_bits = index_bits;
  l.table_bytes = 4 * shared.centroids.size();
  l.fp32_params = fp32_params;
  return l;
}

LayerCodes int8_layer_codes(const std::string& name, const std::vector<std::int8_t>& q,
                            std::size_t channels, int index_bits, std::size_t fp32_params) {
  LayerCodes l;
  l.name = name;
  l.codes.reserve(q.size());
  for (std::int8_t v : q) l.codes.push_back(v == 0 ? kPrunedWeight : v + 128);
  l.alphabet = 256;
  l.value_bits = 8;
  l.index_bits = index_bits;
  l.table_bytes = 4 * channels;
  l.fp32_params = fp32_params;
  return l;
}

std::size_t LayerStorage::bytes() const {
  return bytes_of_bits(index_stream_bits) + bytes_of_bits(value_stream_bits) + table_bytes +
         huffman_bytes + fp32_bytes;
}

LayerStorage layer_storage(const LayerCodes& layer, bool huffman) {
  check_codes(layer);
  std::vector<std::size_t> positions;
  std::vector<std::uint64_t> value_freq(layer.alphabet, 0);
  for (std::size_t i = 0; i < layer.codes.size(); ++i)
    if (layer.codes[i] != kPrunedWeight) {
      positions.push_back(i);
      ++value_freq[layer.codes[i]];
    }
  const std::vector<std::uint32_t> index_codes =
      encode_relative_indices(positions, layer.index_bits);
  LayerStorage s;
  s.name = layer.name;
  s.weights = layer.codes.size();
  s.stored = positions.size();
  s.fillers = index_codes.size() - positions.size();
  s.table_bytes = layer.table_bytes;
  s.fp32_bytes = 4 * layer.fp32_params;
  s.dense_bytes = 4 * (layer.codes.size() + layer.fp32_params);
  if (!huffman) {
    s.index_stream_bits = static_cast<std::uint64_t>(index_codes.size()) * layer.index_bits;
    s.value_stream_bits = static_cast<std::uint64_t>(s.stored) * layer.value_bits;
    return s;
  }
  std::vector<std::uint64_t> index_freq(std::size_t{1} << layer.index_bits, 0);
  for (std::uint32_t c : index_codes) ++index_freq[c];
  s.index_stream_bits = huffman_stream_bits(index_freq);
  s.value_stream_bits = huffman_stream_bits(value_freq);
  s.huffman_bytes = huffman_table_bytes(index_freq.size()) + huffman_table_bytes(layer.alphabet);
  return s;
}

ModelStorage model_storage(const std::vector<LayerCodes>& layers, bool huffman) {
  ModelStorage m;
  for (const LayerCodes& l : layers) {
    m.layers.push_back(layer_storage(l, huffman));
    m.bytes += m.layers.back().bytes();
    m.dense_bytes += m.layers.back().dense_bytes;
  }
  return m;
}

}  // namespace poda
