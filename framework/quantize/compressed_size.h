#pragma once
// The stored size of a pruned and quantized model, counted as Deep Compression stores it
// (Han, Mao & Dally 2016): per layer, the relative indices of the surviving weights
// (relative_index.h), one value code per surviving weight (a codebook index for k-means,
// the int8 level for int8), the table that turns codes into floats (codebook or per-channel
// scales), and the parameters kept in fp32 (biases). Optionally both streams are Huffman
// coded (huffman.h), with their code tables counted. The ratio is against dense fp32.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "quantize/weight_sharing.h"

namespace poda {

// One layer, ready to be counted.
struct LayerCodes {
  std::string name;
  std::vector<std::int32_t> codes;  // (numel): value code, or kPrunedWeight (not stored)
  std::size_t alphabet = 0;         // codes lie in [0, alphabet)
  int value_bits = 0;               // fixed width of a value code
  int index_bits = 5;               // relative-index width (the paper: 8 conv, 5 dense)
  std::size_t table_bytes = 0;      // codebook or scales, fp32
  std::size_t fp32_params = 0;      // parameters kept dense in fp32 (bias)
};

// k-means: codes = assignment, 2^bits fp32 centroids.
LayerCodes kmeans_layer_codes(const std::string& name, const SharedWeights& shared, int index_bits,
                              std::size_t fp32_params);
// int8 weights (channels * per_channel): codes = q + 128 for q != 0 (a zero level is not
// stored), one fp32 scale per channel.
LayerCodes int8_layer_codes(const std::string& name, const std::vector<std::int8_t>& q,
                            std::size_t channels, int index_bits, std::size_t fp32_params);

struct LayerStorage {
  std::string name;
  std::size_t weights = 0, stored = 0, fillers = 0;
  std::uint64_t index_stream_bits = 0, value_stream_bits = 0;
  std::size_t table_bytes = 0;    // codebook / scales
  std::size_t huffman_bytes = 0;  // Huffman code tables (0 without Huffman)
  std::size_t fp32_bytes = 0;     // biases
  std::size_t dense_bytes = 0;    // the same layer dense in fp32: 4 * (weights + fp32_params)
  // Streams rounded up to whole bytes, plus the tables and the fp32 parameters.
  std::size_t bytes() const;
};

LayerStorage layer_storage(const LayerCodes& layer, bool huffman);

struct ModelStorage {
  std::vector<LayerStorage> layers;
  std::size_t bytes = 0, dense_bytes = 0;
  double ratio() const { return bytes ? static_cast<double>(dense_bytes) / bytes : 0.0; }
};

ModelStorage model_storage(const std::vector<LayerCodes>& layers, bool huffman);

}  // namespace poda
