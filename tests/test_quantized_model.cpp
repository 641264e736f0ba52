// A pruned model quantized as a run does it (experiment/runner/quantized_model.h,
// quantize/fake_quant_model.h, quantize/kmeans_model.h): int8 with calibrated inputs and
// k-means shared weights, fine-tuned through fit() with masks kept exactly, saved in the
// checkpoint format and loaded back to the same accuracy; the ordinary model loader skips
// the quantization entries.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include "core/random.h"
#include "experiment/config/config.h"
#include "experiment/quant_schemes/int8/int8_quantized.h"
#include "experiment/quant_schemes/kmeans/kmeans_quantized.h"
#include "experiment/runner/model_checkpoint.h"
#include "experiment/runner/quantized_model.h"
#include "nn/model_builder.h"
#include "train/trainer.h"

using namespace poda;

namespace {

// 1x8x8 images of 4 classes: class c is brighter in quadrant c, plus noise.
ImageSet quadrant_set(std::size_t n, std::uint64_t seed) {
  ImageSet s;
  s.count = n;
  s.channels = 1;
  s.height = s.width = 8;
  s.num_classes = 4;
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 4);
    s.labels.push_back(static_cast<std::uint8_t>(c));
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        const bool bright = (y / 4) * 2 + (x / 4) == c;
        s.pixels.push_back(static_cast<std::uint8_t>((bright ? 120 : 0) + rng.below(100)));
      }
  }
  return s;
}

DataSplits quadrant_splits() {
  return {quadrant_set(256, 1), quadrant_set(64, 2), quadrant_set(64, 3)};
}

std::shared_ptr<Sequential> small_cnn(std::uint64_t seed) {
  const YAML::Node layers = YAML::Load(
      "[{type: conv2d, out: 4, kernel: 3, padding: 1}, {type: relu}, {type: maxpool2d, kernel: 2},"
      " {type: flatten}, {type: dense, out: 16}, {type: relu}, {type: dense, out: 4}]");
  Rng rng(seed);
  return build_model(parse_layer_list(layers, "t.yaml", "layers"), {1, 8, 8}, Init::kaiming_uniform,
                     rng);
}

// Prunes every weight-layer weight by magnitude to about half (keeps |w| above the median).
void prune_half(Module& model) {
  for (auto& [name, p] : model.named_parameters()) {
    if (!p->prunable) continue;
    std::vector<float> mags;
    for (float v : p->value.data()) mags.push_back(std::abs(v));
    std::nth_element(mags.begin(), mags.begin() + mags.size() / 2, mags.end());
    const float cut = mags[mags.size() / 2];
    Array mask = empty_array(p->value.shape());
    for (std::size_t i = 0; i < mask.size(); ++i)
      mask.data()[i] = std::abs(p->value.data().data()[i]) > cut ? 1.0f : 0.0f;
    p->set_mask(std::move(mask));
  }
}

TrainSettings few_epochs(int epochs) {
  TrainSettings t;
  t.epochs = epochs;
  t.batch_size = 32;
  t.eval_batch_size = 64;
  t.lr = 0.05f;
  t.schedule.total_epochs = epochs;
  return t;
}

// Pruned weights are exactly zero and the masks are those of `before`.
void check_masks_kept(Module& model, const ModelState& masks_before) {
  std::size_t i = 0;
  for (auto& [name, p] : model.named_parameters()) {
    if (!p->has_mask()) continue;
    CAPTURE(name);
    CHECK(xt::all(xt::equal(p->mask.data(), masks_before.values[i++].second)));
    std::size_t revived = 0;
    for (std::size_t k = 0; k < p->value.size(); ++k)
      revived += p->mask.data().data()[k] == 0.0f && p->value.data().data()[k] != 0.0f;
    CHECK(revived == 0);
  }
}

ModelState masks_of(Module& model) {
  ModelState s;
  for (auto& [name, p] : model.named_parameters())
    if (p->has_mask()) s.values.emplace_back(name, p->mask.data());
  return s;
}

struct Trained {
  DataSplits data = quadrant_splits();
  Normalization norm;
  std::shared_ptr<Sequential> model = small_cnn(7);
  Trained() {
    norm = compute_normalization(data.train);
    fit(*model, data, norm, few_epochs(3), 1, "train");
    prune_half(*model);
  }
  double accuracy(Module& m) { return evaluate(m, data.test, norm, 64).accuracy; }
};

}  // namespace

TEST_CASE("quantized model: int8 with calibrated inputs, aware fine-tuning keeps masks, reloads") {
  Trained t;
  const ModelState masks = masks_of(*t.model);
  CalibrationSettings cal{CalibrationMethod::min_max, 4, 99.99};
  const std::vector<LayerInputGrid> grids =
      calibrate_layer_inputs(*t.model, t.data.train, t.norm, 32, cal);
  REQUIRE(grids.size() == 3);  // conv, two dense
  CHECK(grids[0].layer == t.model->children()[0].first);
  auto simulated = with_input_fake_quant(*t.model, grids);
  CHECK(simulated->named_parameters().size() == t.model->named_parameters().size());
  set_weight_fake_quant(*t.model, true);
  fit(*simulated, t.data, t.norm, few_epochs(2), 2, "quantize_aware");
  set_weight_fake_quant(*t.model, false);
  check_masks_kept(*t.model, masks);
  materialize_int8_weights(*t.model);
  check_masks_kept(*t.model, masks);
  const double acc = t.accuracy(*simulated);
  CHECK(acc > 0.5);  // four classes: well above chance

  const std::unique_ptr<QuantizedModel> q = int8_quantized(*t.model, grids);
  CHECK(t.accuracy(*q->evaluated()) == acc);
  const Checkpoint saved = quantized_model_to_checkpoint(*t.model, *q);
  const Checkpoint read = deserialize_checkpoint(serialize_checkpoint(saved, "q"), "q");
  auto fresh = small_cnn(99);
  auto loaded = load_quantized_model(*fresh, read, "q");
  CHECK(t.accuracy(*loaded) == acc);
  check_masks_kept(*fresh, masks);
  // The weights came from the int8 entries: overwrite the float ones and load again.
  Checkpoint tampered = read;
  for (CheckpointEntry& e : tampered.entries)
    if (e.name == "4.weight") e.value.fill(123.0f);
  load_quantized_model(*fresh, tampered, "q");
  for (auto& [name, p] : fresh->named_parameters())
    if (name == "4.weight") CHECK(xt::amax(xt::abs(p->value.data()))() < 100.0f);
  // The ordinary loader reads the same file, ignoring the quantized entries.
  auto plain = small_cnn(5);
  CHECK_NOTHROW(load_model_checkpoint(*plain, read, "q"));
  CHECK(t.accuracy(*plain) == t.accuracy(*t.model));
}

TEST_CASE("quantized model: k-means fine-tuning moves centroids only, masks kept, reloads") {
  Trained t;
  const ModelState masks = masks_of(*t.model);
  WeightSharingSettings sharing;
  sharing.conv_bits = 3;
  sharing.dense_bits = 2;
  std::vector<SharedLayer> shared = share_model_weights(*t.model, sharing);
  REQUIRE(shared.size() == 3);
  const std::vector<float> before = shared[1].shared.centroids;
  TrainHooks hooks;
  hooks.on_step_end = [&](std::size_t) { step_centroids(shared, 0.005f); };
  fit(*t.model, t.data, t.norm, few_epochs(2), 3, "quantize_kmeans", hooks);
  sync_centroids_from_weights(shared);
  CHECK(shared[1].shared.centroids != before);
  check_masks_kept(*t.model, masks);
  for (const SharedLayer& l : shared) {  // every weight is its centroid (or 0)
    CAPTURE(l.name);
    const float* w = l.weight->value.data().data();
    for (std::size_t i = 0; i < l.shared.size(); ++i) {
      const std::int32_t a = l.shared.assignment[i];
      CHECK(w[i] == (a == kPrunedWeight ? 0.0f : l.shared.centroids[a]));
    }
  }
  const std::vector<LayerCodes> codes = kmeans_model_codes(*t.model, shared, 8, 5);
  REQUIRE(codes.size() == 3);
  CHECK(codes[0].index_bits == 8);
  CHECK(codes[2].index_bits == 5);
  CHECK(codes[2].fp32_params == 4);  // the bias of the last layer
  const double acc = t.accuracy(*t.model);
  const Checkpoint read = deserialize_checkpoint(
      serialize_checkpoint(quantized_model_to_checkpoint(*t.model, *kmeans_quantized(*t.model, shared)),
                           "k"),
      "k");
  auto fresh = small_cnn(42);
  CHECK(t.accuracy(*load_quantized_model(*fresh, read, "k")) == acc);
  check_masks_kept(*fresh, masks);
}
