#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "lenet_compression.h"
#include "quantize/compressed_size.h"

using namespace poda;

TEST_CASE("compressed size: a hand-made k-means layer") {
  // 4x4 weights, stored at 0, 5 and 15; 2-bit codebook, 2-bit relative indices (gaps 1..3,
  // code 3 = filler of 3): 0 -> [0]; 5 -> gap 5 = [F, 1]; 15 -> gap 10 = [F, F, F, 0].
  SharedWeights s;
  s.bits = 2;
  s.centroids = {-1.0f, -0.5f, 0.5f, 1.0f};
  s.assignment.assign(16, kPrunedWeight);
  s.assignment[0] = 3;
  s.assignment[5] = 0;
  s.assignment[15] = 3;
  const LayerStorage st = layer_storage(kmeans_layer_codes("fc", s, 2, 4), false);
  CHECK(st.weights == 16);
  CHECK(st.stored == 3);
  CHECK(st.fillers == 4);
  CHECK(st.index_stream_bits == 7 * 2);  // 2 bytes
  CHECK(st.value_stream_bits == 3 * 2);  // 1 byte
  CHECK(st.table_bytes == 16);           // 4 centroids
  CHECK(st.fp32_bytes == 16);            // 4 biases
  CHECK(st.bytes() == 2 + 1 + 16 + 16);
  CHECK(st.dense_bytes == 4 * (16 + 4));

  SUBCASE("Huffman: value codes {3, 0, 3} take 1 bit each; index codes {0, F, 1, F, F, F, 0}") {
    const LayerStorage h = layer_storage(kmeans_layer_codes("fc", s, 2, 4), true);
    // Index frequencies: code 3 x4, code 0 x2, code 1 x1 -> lengths 1, 2, 2: 4 + 4 + 2 = 10.
    CHECK(h.index_stream_bits == 10);
    CHECK(h.value_stream_bits == 3);
    CHECK(h.huffman_bytes == 4 + 4);  // one length byte per symbol of both alphabets
    CHECK(h.bytes() == 2 + 1 + 16 + 8 + 16);
  }
}

TEST_CASE("compressed size: a hand-made int8 layer and a model") {
  // (2, 2) int8 weights {0, 5, -3, 0}: stored at 1 and 2, 4-bit indices: codes [1, 0].
  const LayerCodes l = int8_layer_codes("conv", {0, 5, -3, 0}, 2, 4, 0);
  CHECK(l.codes == std::vector<std::int32_t>{kPrunedWeight, 133, 125, kPrunedWeight});
  const LayerStorage st = layer_storage(l, false);
  CHECK(st.bytes() == 1 + 2 + 8);
  const ModelStorage m = model_storage({l, l}, false);
  CHECK(m.bytes == 22);
  CHECK(m.dense_bytes == 32);
  CHECK(m.ratio() == doctest::Approx(32.0 / 22.0));
}

TEST_CASE("compressed size: codes that do not fit are refused") {
  LayerCodes l;
  l.name = "fc";
  l.codes = {0, 4};
  l.alphabet = 4;
  l.value_bits = 2;
  CHECK_THROWS_WITH_AS(layer_storage(l, false), doctest::Contains("layer 'fc' has code 4"),
                       std::invalid_argument);
  l.codes = {0, 3};
  l.value_bits = 1;
  CHECK_THROWS_AS(layer_storage(l, false), std::invalid_argument);
}

TEST_CASE("compressed size: LeNet-300-100 at 95% sparsity with 5-bit k-means is at least 30x") {
  const poda::testing::LenetCompression c = poda::testing::compress_lenet_300_100(0.95, 5, 5);
  MESSAGE("LeNet-300-100, 95% sparse, 5-bit k-means, 5-bit indices: "
          << c.fixed.bytes << " bytes, " << c.fixed.ratio() << "x; with Huffman " << c.huffman.bytes
          << " bytes, " << c.huffman.ratio() << "x");
  CHECK(c.fixed.dense_bytes == 4 * 266610);
  CHECK(c.fixed.ratio() >= 30.0);
  CHECK(c.huffman.ratio() > c.fixed.ratio());
}
