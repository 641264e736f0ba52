// Attention heads as units of structured pruning: the dependency group of a head (rows of q,
// k, v and columns of out), `head` pruning scoring a head by the sum of its rows' scores,
// MLP hidden neurons left to `neuron`, and compaction of a head- and neuron-pruned ViT into
// fewer heads computing the same function, with its MACs against the hand formula and its
// inference plan against the autograd model.
#include <doctest/doctest.h>

#include <algorithm>

#include "experiment/config/config.h"
#include "gradcheck.h"
#include "infer/plan.h"
#include "measure/compact.h"
#include "nn/layers/attention.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/dependency_groups.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

// 1x8x8 images, patches of 4 (4 tokens + the class token), width 8, 4 heads of 2, MLP 8.
std::shared_ptr<Sequential> small_vit() {
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model:
  layers:
    - {type: patch_embed, patch: 4, dim: 8}
    - {type: class_token}
    - {type: pos_embed}
    - {type: transformer_block, heads: 4, hidden: 8}
    - {type: layernorm}
    - {type: token_pool, mode: first}
    - {type: dense, name: head, out: 3}
)"),
                                                     "vit.yaml");
  Rng rng(7);
  return build_model(c.model.layers, {1, 8, 8}, c.model.init, rng);
}

PruneSettings settings_for(Granularity g, double sparsity) {
  PruneSettings s;
  s.criterion = "magnitude";
  s.granularity.kind = g;
  s.scope = Scope::layer;
  s.sparsity = sparsity;
  return s;
}

MultiHeadSelfAttention& attention_of(Module& model) {
  for (auto& [name, m] : model.named_modules())
    if (auto* a = dynamic_cast<MultiHeadSelfAttention*>(m)) return *a;
  throw std::logic_error("no attention layer");
}

// Scales rows [h * width, (h + 1) * width) of q, k and v by `factor` for each head h given.
void scale_heads(MultiHeadSelfAttention& a, const std::vector<std::size_t>& heads, float factor) {
  const std::size_t width = a.head_width(), D = a.dim();
  for (Dense* d : {&a.q(), &a.k(), &a.v()})
    for (std::size_t h : heads)
      for (std::size_t e = h * width * D; e < (h + 1) * width * D; ++e)
        d->weight().value.data().data()[e] *= factor;
}

// A ViT's MACs per sample with E = kept heads * head width and a hidden MLP width.
std::size_t vit_macs(std::size_t C, std::size_t P, std::size_t tokens, std::size_t D, std::size_t E,
                     std::size_t hidden, std::size_t classes) {
  const std::size_t T = tokens + 1;
  return tokens * D * C * P * P + 4 * T * D * E + 2 * T * T * E + 2 * T * D * hidden + D * classes;
}

Array eval_forward(Module& model, const Array& x) {
  NoGradGuard no_grad;
  model.eval();
  return model.forward(Variable(x)).data();
}

}  // namespace

TEST_CASE("dependency groups: an attention layer's heads are one group of q, k, v and out") {
  auto model = small_vit();
  const std::vector<DependencyGroup> groups = dependency_groups(*model);
  const auto it =
      std::find_if(groups.begin(), groups.end(), [](const DependencyGroup& g) { return g.heads; });
  REQUIRE(it != groups.end());
  CHECK(it->prunable());
  CHECK(it->channels == 4);
  std::vector<std::string> names;
  for (const GroupMember& m : it->members) {
    names.push_back(m.name);
    CHECK(m.span == (m.role == GroupMember::Role::writes ? 2u : 1u));
    CHECK(m.fan_out == (m.role == GroupMember::Role::reads ? 2u : 1u));
  }
  CHECK(names == std::vector<std::string>{"3.attn.body.mhsa.q", "3.attn.body.mhsa.k",
                                          "3.attn.body.mhsa.v", "3.attn.body.mhsa.out"});
  // The MLP's hidden neurons are a group of their own (fc1 -> GELU -> fc2), not of heads.
  const auto mlp = std::find_if(groups.begin(), groups.end(), [](const DependencyGroup& g) {
    return g.members.front().name == "3.mlp.body.ffn.fc1";
  });
  REQUIRE(mlp != groups.end());
  CHECK(mlp->prunable());
  CHECK_FALSE(mlp->heads);
  CHECK(mlp->channels == 8);
  CHECK(mlp->members.back().name == "3.mlp.body.ffn.fc2");
}

TEST_CASE("head pruning removes the heads whose rows score lowest in sum") {
  auto model = small_vit();
  MultiHeadSelfAttention& a = attention_of(*model);
  scale_heads(a, {1, 3}, 0.01f);
  CriterionContext ctx;
  const PruneStats stats = prune(*model, settings_for(Granularity::head, 0.5), 0.5, ctx);
  CHECK(stats.units == 4);
  CHECK(stats.units_pruned == 2);
  const Array& q_mask = a.q().weight().mask.data();
  const Array& out_mask = a.out().weight().mask.data();
  for (std::size_t row = 0; row < 8; ++row) {
    const bool removed = row / 2 == 1 || row / 2 == 3;
    CAPTURE(row);
    CHECK((q_mask(row, 0) == 0.0f) == removed);
    CHECK((out_mask(0, row) == 0.0f) == removed);  // out's columns of the head
    CHECK((a.v().bias()->mask.data()(row) == 0.0f) == removed);
  }
  // Neither the MLP nor the other projections' inputs were touched.
  for (auto& [name, p] : model->named_parameters())
    if (name.find("ffn") != std::string::npos) CHECK_FALSE(p->has_mask());
}

TEST_CASE("neuron pruning of a ViT takes MLP hidden neurons and leaves the heads") {
  auto model = small_vit();
  CriterionContext ctx;
  prune(*model, settings_for(Granularity::neuron, 0.5), 0.5, ctx);
  MultiHeadSelfAttention& a = attention_of(*model);
  for (Dense* d : {&a.q(), &a.k(), &a.v(), &a.out()}) CHECK_FALSE(d->weight().has_mask());
  std::size_t dead = 0;
  for (auto& [name, p] : model->named_parameters())
    if (name == "3.mlp.body.ffn.fc1.bias")
      for (float m : p->mask.data()) dead += m == 0.0f;
  CHECK(dead == 4);
}

TEST_CASE("compaction: a head- and neuron-pruned ViT has fewer heads and computes the same") {
  auto model = small_vit();
  CriterionContext ctx;
  prune(*model, settings_for(Granularity::head, 0.5), 0.5, ctx);
  // The patch conv's filters feed the class token (opaque): compaction cannot cross them.
  PruneSettings neurons = settings_for(Granularity::neuron, 0.25);
  neurons.exclude_first = true;
  prune(*model, neurons, 0.25, ctx);
  const CompactResult c = compact_model(*model, {1, 8, 8});
  REQUIRE_MESSAGE(c.model, c.reason);
  MultiHeadSelfAttention& a = attention_of(*c.model);
  CHECK(a.heads() == 2);
  CHECK(a.head_width() == 2);
  CHECK(a.q().weight().value.shape() == Shape{4, 8});
  CHECK(a.out().weight().value.shape() == Shape{8, 4});
  CHECK(c.model->macs({1, 8, 8}) == vit_macs(1, 4, 4, 8, 4, 6, 3));
  CHECK(c.model->parameter_count() < model->parameter_count());
  const Array x = poda::testing::random_array({5, 1, 8, 8}, 3);
  const Array expected = eval_forward(*model, x), got = eval_forward(*c.model, x);
  REQUIRE(expected.shape() == got.shape());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(got.data()[i] == doctest::Approx(expected.data()[i]).epsilon(1e-5).scale(1.0));
  // The compacted plan (an attention op of 2 heads) computes the same too.
  auto plan = build_plan(*c.model, {1, 8, 8}, Dispatch::dense);
  CHECK(plan->macs() == c.model->macs({1, 8, 8}));
  const float* y = plan->run(x.data(), 5);
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(y[i] == doctest::Approx(expected.data()[i]).epsilon(1e-5).scale(1.0));
}

TEST_CASE("head pruning from YAML: granularity head parses and prunes a quarter of the heads") {
  auto model = small_vit();
  const ExperimentConfig c = parse_experiment_config(YAML::Load(R"(
model: {zoo: vit_tiny}
prune: {criterion: magnitude, granularity: head, sparsity: 0.25, scope: layer}
)"),
                                                     "heads.yaml");
  REQUIRE(c.prune);
  CHECK(c.prune->granularity.kind == Granularity::head);
  CriterionContext ctx;
  const PruneStats stats = prune(*model, *c.prune, 0.25, ctx);
  CHECK(stats.units_pruned == 1);
  const std::vector<std::string> names = granularity_names();  // what `poda list` shows
  CHECK(std::find(names.begin(), names.end(), "head") != names.end());
}

TEST_CASE("head pruning of a model without attention is refused before anything runs") {
  Rng rng(1);
  auto mlp = build_model({layer("flatten"), layer("dense", "fc1", {{"out", 4}}), layer("relu"),
                          layer("dense", "fc2", {{"out", 2}})},
                         {1, 2, 2}, Init::kaiming_uniform, rng);
  CHECK_THROWS_WITH_AS(check_prunable(*mlp, settings_for(Granularity::head, 0.5)),
                       "granularity 'head' needs a model with attention layers",
                       std::invalid_argument);
}
