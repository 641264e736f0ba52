#include <doctest/doctest.h>

#include "measure/model_cost.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"

using namespace poda;

TEST_CASE("model cost: dense and effective MACs follow the masks") {
  Rng rng(1);
  auto model =
      build_model(find_zoo_model("lenet300_100")->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  for (auto& [name, p] : model->named_parameters())  // Kaiming leaves biases at 0
    if (name.find("bias") != std::string::npos) p->value.data().fill(0.5f);
  ModelCost dense = model_cost(*model, {1, 28, 28});
  CHECK(dense.params == 266610);
  CHECK(dense.nonzero_params == 266610);
  CHECK(dense.macs == 266200);
  CHECK(dense.effective_macs == 266200);
  // Prune half of fc1's rows: 150 * 784 weights gone.
  Parameter* fc1 = model->named_parameters()[0].second;
  Array mask = zeros_array({300, 784});
  for (std::size_t r = 0; r < 150; ++r)
    for (std::size_t c = 0; c < 784; ++c) mask(r, c) = 1.0f;
  fc1->set_mask(mask);
  ModelCost pruned = model_cost(*model, {1, 28, 28});
  CHECK(pruned.macs == 266200);
  CHECK(pruned.effective_macs == 266200 - 150 * 784);
  CHECK(pruned.nonzero_params == 266610 - 150 * 784);
  CHECK(pruned.sparse_bytes == 8 * pruned.nonzero_params);
}

TEST_CASE("model cost: a conv layer's effective MACs are its surviving weights per position") {
  Rng rng(2);
  std::vector<LayerSpec> layers{layer("conv2d", "c", {{"out", 4}, {"kernel", 3}, {"padding", 1}})};
  auto model = build_model(layers, {2, 8, 8}, Init::kaiming_uniform, rng);
  CHECK(model->macs({2, 8, 8}) == 4 * 2 * 9 * 64);
  Parameter& w = *model->named_parameters()[0].second;
  Array mask = zeros_array({4, 2, 3, 3});
  for (std::size_t i = 0; i < 2 * 2 * 9; ++i) mask.data()[i] = 1.0f;  // filters 0 and 1 stay
  w.set_mask(mask);
  CHECK(model_cost(*model, {2, 8, 8}).effective_macs == 2 * 2 * 9 * 64);
}
