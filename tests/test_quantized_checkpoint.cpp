#include <doctest/doctest.h>

#include <vector>

#include "experiment/quant_schemes/int8/int8_quantized.h"
#include "experiment/quant_schemes/kmeans/kmeans_quantized.h"
#include "experiment/quant_schemes/quant_checkpoint.h"
#include "gradcheck.h"

using namespace poda;

namespace {
Checkpoint round_trip(const Checkpoint& c) {
  return deserialize_checkpoint(serialize_checkpoint(c, "test"), "test");
}
}  // namespace

TEST_CASE("quantized checkpoint: int8 weights round trip exactly") {
  Array w = poda::testing::random_array({4, 3, 2, 2}, 21);
  w.data()[5] = 0.0f;  // a pruned weight
  const Int8Weights q = quantize_weights_int8(w);
  Checkpoint c;
  c.entries.push_back({"conv1.bias", zeros_array({4}), std::nullopt});  // ordinary entries stay
  add_int8_weights(c, "conv1.weight", q);
  const Checkpoint back = round_trip(c);
  CHECK(quantized_kind(back, "conv1.weight") == "int8");
  CHECK(quantized_kind(back, "conv1.bias") == "");
  const Int8Weights r = read_int8_weights(back, "conv1.weight", "test");
  CHECK(r.shape == q.shape);
  CHECK(r.q == q.q);
  CHECK(r.grid.scale == q.grid.scale);
  CHECK(dequantize(r) == dequantize(q));
  CHECK(dequantize(r).data()[5] == 0.0f);
}

TEST_CASE("quantized checkpoint: shared weights round trip with their pruning mask") {
  Array w = poda::testing::random_array({6, 5}, 22);
  for (std::size_t i = 0; i < w.size(); i += 3) w.data()[i] = 0.0f;
  const SharedWeights s = share_weights(w.data(), nullptr, w.size(), 3, 20);
  Checkpoint c;
  add_shared_weights(c, "fc1.weight", s, {6, 5});
  const Checkpoint back = round_trip(c);
  CHECK(find_entry(back, "fc1.weight.codebook_index")->mask.has_value());
  Shape shape;
  const SharedWeights r = read_shared_weights(back, "fc1.weight", "test", shape);
  CHECK(shape == Shape{6, 5});
  CHECK(r.bits == 3);
  CHECK(r.centroids == s.centroids);
  CHECK(r.assignment == s.assignment);
  std::vector<float> a(s.size()), b(s.size());
  materialize_shared(s, a.data());
  materialize_shared(r, b.data());
  CHECK(a == b);
}

TEST_CASE("quantized checkpoint: bad or missing entries are named") {
  const Int8Weights q = quantize_weights_int8(poda::testing::random_array({2, 3}, 23));
  Checkpoint c;
  add_int8_weights(c, "fc.weight", q);
  SUBCASE("wrong kind") {
    Shape shape;
    CHECK_THROWS_WITH_AS(read_shared_weights(c, "fc.weight", "m.ckpt", shape),
                         doctest::Contains("expected 'kmeans'"), CheckpointError);
  }
  SUBCASE("a level out of range") {
    c.entries[0].value.data()[1] = 128.0f;
    CHECK_THROWS_WITH_AS(read_int8_weights(c, "fc.weight", "m.ckpt"),
                         doctest::Contains("fc.weight.int8: value 128"), CheckpointError);
  }
  SUBCASE("a missing scale entry") {
    c.entries.pop_back();
    CHECK_THROWS_WITH_AS(read_int8_weights(c, "fc.weight", "m.ckpt"),
                         doctest::Contains("fc.weight.scale: missing entry"), CheckpointError);
  }
  SUBCASE("k-means bits metadata") {
    Checkpoint k;
    const std::vector<float> w = {0.5f, -0.5f};
    add_shared_weights(k, "fc.weight", share_weights(w.data(), nullptr, 2, 1, 5), {2});
    k.metadata["quant.fc.weight.bits"] = "2";  // codebook holds 2 centroids, not 4
    Shape shape;
    CHECK_THROWS_WITH_AS(read_shared_weights(k, "fc.weight", "m.ckpt", shape),
                         doctest::Contains("expected 2^2"), CheckpointError);
    k.metadata["quant.fc.weight.bits"] = "x";
    CHECK_THROWS_AS(read_shared_weights(k, "fc.weight", "m.ckpt", shape), CheckpointError);
  }
}
