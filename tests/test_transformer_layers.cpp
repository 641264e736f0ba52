// The transformer layers: built from YAML, shapes, the attention layer against its own Dense
// projections composed by hand, permutation equivariance, input Jacobians through whole
// blocks, vit_tiny's parameter and MAC counts against hand formulas, and the pruner seeing
// every projection as an ordinary Dense target.
#include <doctest/doctest.h>

#include "core/ops_transformer.h"
#include "experiment/config/config.h"
#include "gradcheck.h"
#include "nn/layers/attention.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

namespace {

std::shared_ptr<Sequential> build_yaml(const std::string& yaml, const Shape& input) {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(yaml), "vit.yaml");
  Rng rng(5);
  return build_model(c.model.layers, input, c.model.init, rng);
}

// A ViT's parameters by hand: patch conv, class token, positions, blocks (two LayerNorms,
// four D x D projections, the MLP), final LayerNorm, head; all with biases.
std::size_t vit_params(std::size_t C, std::size_t P, std::size_t tokens, std::size_t D,
                       std::size_t depth, std::size_t hidden, std::size_t classes) {
  const std::size_t block = 2 * 2 * D + 4 * (D * D + D) + (D * hidden + hidden) + (hidden * D + D);
  return (C * P * P * D + D) + D + (tokens + 1) * D + depth * block + 2 * D +
         (D * classes + classes);
}

// Its multiply-accumulates per sample: the patch conv, per block the projections 4 T D^2,
// q k^T and p v 2 T^2 D, the MLP 2 T D hidden; the head. LayerNorm, softmax, GELU: none.
std::size_t vit_macs(std::size_t C, std::size_t P, std::size_t tokens, std::size_t D,
                     std::size_t depth, std::size_t hidden, std::size_t classes) {
  const std::size_t T = tokens + 1;
  const std::size_t block = 4 * T * D * D + 2 * T * T * D + 2 * T * D * hidden;
  return tokens * D * C * P * P + depth * block + D * classes;
}

// Tokens whose features are well spread (a ramp plus noise): LayerNorm of a nearly constant
// token is so curved that central differences would measure the curvature, not the slope.
Array spread_tokens(const Shape& shape, std::uint64_t seed) {
  Array x = random_array(shape, seed, 0.0f, 0.3f);
  const std::size_t D = shape.back();
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] += static_cast<float>(i % D) - 0.5f * D;
  return x;
}

}  // namespace

TEST_CASE("vit_tiny: parameter and MAC counts against the hand formulas") {
  Rng rng(1);
  const ZooEntry* entry = find_zoo_model("vit_tiny");
  REQUIRE(entry != nullptr);
  auto model = build_model(entry->layers, {1, 28, 28}, Init::kaiming_uniform, rng);
  CHECK(model->parameter_count() == vit_params(1, 7, 16, 64, 4, 128, 10));
  CHECK(model->parameter_count() == 139018);
  CHECK(model->macs({1, 28, 28}) == vit_macs(1, 7, 16, 64, 4, 128, 10));
  CHECK(model->effective_macs({1, 28, 28}) == model->macs({1, 28, 28}));
  CHECK(model->output_shape({1, 28, 28}) == Shape{10});
  const Array x = random_array({3, 1, 28, 28}, 2);
  const Variable y = (*model)(Variable(x));
  CHECK(y.shape() == Shape{3, 10});
  // Named like the layers that hold them.
  bool found = false;
  for (auto& [name, p] : model->named_parameters())
    found = found || name == "block2.attn.body.mhsa.q.weight";
  CHECK(found);
}

TEST_CASE("a ViT in the YAML layers form, mean pooling; bad shapes named") {
  const char* yaml = R"(
model:
  layers:
    - {type: patch_embed, patch: 4, dim: 16}
    - {type: pos_embed}
    - {type: transformer_block, heads: 2, hidden: 32}
    - {type: layernorm}
    - {type: token_pool, mode: mean}
    - {type: dense, out: 3}
)";
  auto model = build_yaml(yaml, {2, 8, 8});
  CHECK(model->output_shape({2, 8, 8}) == Shape{3});
  const std::size_t T = 4, D = 16, H = 32;  // (8/4)^2 tokens, no class token
  CHECK(model->macs({2, 8, 8}) ==
        T * D * 2 * 16 + 4 * T * D * D + 2 * T * T * D + 2 * T * D * H + D * 3);
  CHECK((*model)(Variable(random_array({2, 2, 8, 8}, 3))).shape() == Shape{2, 3});
  CHECK_THROWS_WITH_AS(build_yaml(R"(
model:
  layers:
    - {type: patch_embed, patch: 3, dim: 16}
)",
                                  {1, 8, 8}),
                       doctest::Contains("multiples of patch 3"), std::exception);
  CHECK_THROWS_WITH_AS(build_yaml(R"(
model:
  layers:
    - {type: patch_embed, patch: 4, dim: 6}
    - {type: attention, heads: 4}
)",
                                  {1, 8, 8}),
                       doctest::Contains("multiple of 4 heads"), std::exception);
  CHECK_THROWS_WITH_AS(build_yaml(R"(
model:
  layers:
    - {type: flatten}
    - {type: token_pool, mode: max}
)",
                                  {1, 8, 8}),
                       doctest::Contains("first, mean"), std::exception);
}

TEST_CASE("attention layer: its Dense projections composed by hand, permutation equivariance") {
  Rng rng(7);
  MultiHeadSelfAttention attn(8, 2, true, Init::xavier_uniform, rng);
  const std::size_t B = 2, T = 5, D = 8;
  const Array x = random_array({B, T, D}, 4);
  const Array y = attn(Variable(x)).data();
  // By hand: the projections on rows, attention_scores/softmax/attention_mix, the output.
  const Variable rows(Array(xt::reshape_view(x, {B * T, D})));
  auto proj = [&](Dense& d, const Variable& r) { return d(r); };
  const Variable q = reshape(proj(attn.q(), rows), {B, T, D});
  const Variable k = reshape(proj(attn.k(), rows), {B, T, D});
  const Variable v = reshape(proj(attn.v(), rows), {B, T, D});
  const Variable mixed = attention_mix(softmax(attention_scores(q, k, 2, 0.5f)), v, 2);
  const Array expected = attn.out()(reshape(mixed, {B * T, D})).data();
  for (std::size_t i = 0; i < y.size(); ++i)
    CHECK(y.data()[i] == doctest::Approx(expected.data()[i]).epsilon(1e-5));
  // Self-attention without positions commutes with reordering the tokens.
  Array permuted = x;
  const std::size_t order[] = {3, 0, 4, 1, 2};
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t j = 0; j < D; ++j) permuted(b, t, j) = x(b, order[t], j);
  const Array yp = attn(Variable(permuted)).data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t j = 0; j < D; ++j)
        CHECK(yp(b, t, j) == doctest::Approx(y(b, order[t], j)).epsilon(1e-5));
}

TEST_CASE("input Jacobians through a transformer block, the patch embedding and pooling") {
  Rng rng(6);
  auto block = build_model({layer("transformer_block", "", {{"heads", 2}, {"hidden", 6}})}, {3, 4},
                           Init::kaiming_uniform, rng);
  check_jacobian([&](auto& v) { return (*block)(v[0]); }, {spread_tokens({2, 3, 4}, 8)});
  auto head =
      build_model({layer("patch_embed", "", {{"patch", 2}, {"dim", 4}}), layer("class_token"),
                   layer("pos_embed"), layer("layernorm"), layer("token_pool")},
                  {1, 4, 4}, Init::kaiming_uniform, rng);
  check_jacobian([&](auto& v) { return (*head)(v[0]); }, {random_array({2, 1, 4, 4}, 9)});
}

TEST_CASE("pruning sees the projections and the MLP as Dense targets; hidden units traced") {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model:
  layers:
    - {type: patch_embed, patch: 4, dim: 8}
    - {type: transformer_block, heads: 2, hidden: 8}
    - {type: token_pool, mode: mean}
    - {type: dense, name: head, out: 3}
prune: {criterion: magnitude, granularity: neuron, sparsity: 0.5, scope: layer}
)"),
                                                     "vit.yaml");
  Rng rng(3);
  auto model = build_model(c.model.layers, {1, 8, 8}, c.model.init, rng);
  std::vector<PruneTarget> targets = collect_targets(*model);
  std::vector<std::string> names;
  for (const PruneTarget& t : targets) names.push_back(t.name);
  const std::vector<std::string> expected{"0.proj",
                                          "1.attn.body.mhsa.q",
                                          "1.attn.body.mhsa.k",
                                          "1.attn.body.mhsa.v",
                                          "1.attn.body.mhsa.out",
                                          "1.mlp.body.ffn.fc1",
                                          "1.mlp.body.ffn.fc2",
                                          "head"};
  CHECK(names == expected);
  REQUIRE(targets[5].consumer == &targets[6]);  // fc1 -> GELU -> fc2
  CriterionContext ctx;
  prune(*model, *c.prune, 0.5, ctx);
  targets = collect_targets(*model);
  const Array& fc2_mask = targets[6].weight->mask.data();
  std::size_t dead_inputs = 0;
  for (std::size_t col = 0; col < 8; ++col) dead_inputs += fc2_mask(0, col) == 0.0f;
  CHECK(dead_inputs == 4);  // half of fc1's neurons, traced through GELU
  CHECK((*model)(Variable(random_array({2, 1, 8, 8}, 1))).shape() == Shape{2, 3});
}
