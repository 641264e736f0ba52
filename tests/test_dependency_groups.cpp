// Dependency groups, one test per shape of dependency: which layers share a channel, that
// filter pruning removes a channel from all of them, and that compaction then computes the
// same function with the channel gone everywhere.
#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "measure/compact.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/dependency_groups.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

using Role = GroupMember::Role;

// "writes:conv1 normalizes:bn1 reads:conv2" with the fan-out of readers when it is not 1.
std::string describe(const DependencyGroup& g) {
  std::string out;
  for (const GroupMember& m : g.members) {
    const char* role = m.role == Role::writes  ? "writes"
                       : m.role == Role::reads ? "reads"
                                               : "normalizes";
    out += (out.empty() ? "" : " ") + std::string(role) + ":" + m.name;
    if (m.fan_out != 1) out += "x" + std::to_string(m.fan_out);
  }
  return out;
}

std::shared_ptr<Sequential> build(const std::vector<LayerSpec>& layers, const Shape& input) {
  Rng rng(5);
  auto model = build_model(layers, input, Init::kaiming_uniform, rng);
  // Running statistics that are not the identity, so BatchNorm's copy matters.
  Shape batch{8};
  batch.insert(batch.end(), input.begin(), input.end());
  model->train();
  model->forward(Variable(poda::testing::random_array(batch, 3, -1.0f, 1.0f)));
  model->eval();
  return model;
}

LayerSpec conv(const std::string& name, double out, double kernel = 3, double groups = 1) {
  return layer("conv2d", name,
               {{"out", out},
                {"kernel", kernel},
                {"padding", kernel == 3 ? 1 : 0},
                {"groups", groups},
                {"bias", 0}});
}

LayerSpec residual(const std::string& name, std::vector<LayerSpec> body,
                   std::vector<LayerSpec> shortcut = {}) {
  LayerSpec block = layer("residual", name);
  block.lists["layers"] = std::move(body);
  if (!shortcut.empty()) block.lists["shortcut"] = std::move(shortcut);
  return block;
}

// Prunes half the filters of every group (layer scope, L1 norm) and checks the compacted
// copy against the masked model on random inputs.
std::shared_ptr<Sequential> prune_and_compact(Sequential& model, const Shape& input) {
  PruneSettings s;
  s.criterion = "l1_norm";
  s.granularity.kind = Granularity::filter;
  s.scope = Scope::layer;
  s.sparsity = 0.5;
  CriterionContext ctx;
  prune(model, s, 0.5, ctx);
  const CompactResult c = compact_model(model, input);
  REQUIRE_MESSAGE(c.model, c.reason);
  Shape batch{4};
  batch.insert(batch.end(), input.begin(), input.end());
  const Variable x(poda::testing::random_array(batch, 17, -1.0f, 1.0f));
  NoGradGuard no_grad;
  c.model->eval();
  CHECK(xt::allclose(model.forward(x).data(), c.model->forward(x).data(), 1e-5, 1e-5));
  return c.model;
}

Shape shape_of(Module& m, const std::string& name) {
  for (auto& [n, p] : m.named_parameters())
    if (n == name) return p->value.shape();
  FAIL("no parameter " << name);
  return {};
}

// Channel c is masked in every reader (in every row: a reader's own rows may be gone with
// its own groups) exactly when the group counts it removed.
void check_whole_channels(const DependencyGroup& g) {
  for (std::size_t c = 0; c < g.channels; ++c) {
    CAPTURE(c);
    const bool removed = group_channel_removed(g, c);
    for (const GroupMember& m : g.members) {
      if (m.role != Role::reads) continue;
      for (auto& [n, p] : m.layer->named_parameters()) {
        if (n != "weight") continue;
        const std::size_t out = p->value.dim(0), in = p->value.dim(1);
        const std::size_t k = p->value.size() / (out * in);
        bool read = !p->has_mask();
        for (std::size_t o = 0; o < out && !read; ++o)
          read = p->mask.data().data()[(o * in + c * m.fan_out) * k] != 0.0f;
        CHECK(read != removed);
      }
    }
  }
}

}  // namespace

TEST_CASE("dependency groups: conv -> BN -> conv") {
  auto model = build({conv("conv1", 6), layer("batchnorm", "bn1"), layer("relu"), conv("conv2", 4),
                      layer("batchnorm", "bn2"), layer("relu"), layer("global_avgpool"),
                      layer("dense", "fc", {{"out", 3}})},
                     {2, 6, 6});
  const auto groups = dependency_groups(*model);
  REQUIRE(groups.size() == 3);
  CHECK(describe(groups[0]) == "writes:conv1 normalizes:bn1 reads:conv2");
  CHECK(groups[0].channels == 6);
  CHECK(groups[0].prunable());
  CHECK(describe(groups[1]) == "writes:conv2 normalizes:bn2 reads:fc");
  CHECK(groups[2].pinned == "the network's output");
  auto small = prune_and_compact(*model, {2, 6, 6});
  check_whole_channels(groups[0]);
  CHECK(shape_of(*small, "conv1.weight") == Shape{3, 2, 3, 3});
  CHECK(shape_of(*small, "bn1.weight") == Shape{3});
  CHECK(shape_of(*small, "conv2.weight") == Shape{2, 3, 3, 3});
  CHECK(shape_of(*small, "fc.weight") == Shape{3, 2});
}

TEST_CASE("dependency groups: conv -> flatten -> dense spreads a channel over H*W inputs") {
  auto model = build({conv("conv1", 4), layer("relu"), layer("maxpool2d", "pool", {{"kernel", 2}}),
                      layer("flatten"), layer("dense", "fc1", {{"out", 6}}), layer("relu"),
                      layer("dense", "fc2", {{"out", 3}})},
                     {1, 6, 6});
  const auto groups = dependency_groups(*model);
  REQUIRE(groups.size() == 3);
  CHECK(describe(groups[0]) == "writes:conv1 reads:fc1x9");  // 3x3 after pooling
  CHECK(describe(groups[1]) == "writes:fc1 reads:fc2");
  auto small = prune_and_compact(*model, {1, 6, 6});
  check_whole_channels(groups[0]);
  CHECK(shape_of(*small, "conv1.weight") == Shape{2, 1, 3, 3});
  CHECK(shape_of(*small, "fc1.weight") == Shape{3, 2 * 9});
  CHECK(shape_of(*small, "fc2.weight") == Shape{3, 3});
}

TEST_CASE(
    "dependency groups: a residual add with an identity shortcut ties the block to its input") {
  auto model = build({conv("stem", 4), layer("batchnorm", "bn"), layer("relu"),
                      residual("block", {conv("conv1", 6), layer("batchnorm", "bn1"), layer("relu"),
                                         conv("conv2", 4), layer("batchnorm", "bn2")}),
                      layer("relu"), layer("global_avgpool"), layer("dense", "fc", {{"out", 3}})},
                     {2, 5, 5});
  const auto groups = dependency_groups(*model);
  REQUIRE(groups.size() == 3);
  CHECK(describe(groups[0]) ==
        "writes:stem normalizes:bn reads:block.body.conv1 writes:block.body.conv2 "
        "normalizes:block.body.bn2 reads:fc");
  CHECK(describe(groups[1]) ==
        "writes:block.body.conv1 normalizes:block.body.bn1 reads:block.body.conv2");
  auto small = prune_and_compact(*model, {2, 5, 5});
  check_whole_channels(groups[0]);
  CHECK(shape_of(*small, "stem.weight") == Shape{2, 2, 3, 3});
  CHECK(shape_of(*small, "block.body.conv1.weight") == Shape{3, 2, 3, 3});
  CHECK(shape_of(*small, "block.body.conv2.weight") == Shape{2, 3, 3, 3});
  CHECK(shape_of(*small, "fc.weight") == Shape{3, 2});
}

TEST_CASE("dependency groups: a projection shortcut joins the block's output, not its input") {
  auto model = build({conv("stem", 4), layer("batchnorm", "bn"), layer("relu"),
                      residual("block",
                               {conv("conv1", 6), layer("batchnorm", "bn1"), layer("relu"),
                                conv("conv2", 8), layer("batchnorm", "bn2")},
                               {conv("conv", 8, 1), layer("batchnorm", "bn")}),
                      layer("relu"), layer("global_avgpool"), layer("dense", "fc", {{"out", 3}})},
                     {2, 5, 5});
  const auto groups = dependency_groups(*model);
  REQUIRE(groups.size() == 4);
  CHECK(describe(groups[0]) ==
        "writes:stem normalizes:bn reads:block.body.conv1 reads:block.shortcut.conv");
  CHECK(describe(groups[2]) ==
        "writes:block.body.conv2 normalizes:block.body.bn2 writes:block.shortcut.conv "
        "normalizes:block.shortcut.bn reads:fc");
  auto small = prune_and_compact(*model, {2, 5, 5});
  for (const DependencyGroup& g : groups) check_whole_channels(g);
  CHECK(shape_of(*small, "block.shortcut.conv.weight") == Shape{4, 2, 1, 1});
  CHECK(shape_of(*small, "block.body.conv2.weight") == Shape{4, 3, 3, 3});
  CHECK(shape_of(*small, "fc.weight") == Shape{3, 4});
}

TEST_CASE("dependency groups: a depthwise conv passes its channels on; a grouped one pins them") {
  auto model = build({conv("conv1", 4), layer("batchnorm", "bn1"), layer("relu"),
                      conv("dw", 4, 3, 4), layer("batchnorm", "bn2"), layer("relu"),
                      conv("pw", 6, 1), layer("relu"), conv("grouped", 6, 3, 2), layer("relu"),
                      layer("global_avgpool"), layer("dense", "fc", {{"out", 3}})},
                     {2, 5, 5});
  const auto groups = dependency_groups(*model);
  REQUIRE(groups.size() == 4);
  CHECK(describe(groups[0]) == "writes:conv1 normalizes:bn1 writes:dw normalizes:bn2 reads:pw");
  CHECK(groups[0].prunable());
  CHECK(describe(groups[1]) == "writes:pw reads:grouped");
  CHECK(groups[1].pinned ==
        "grouped conv 'grouped' reads them (removing one unbalances the groups)");
  CHECK(groups[2].pinned == "grouped conv 'grouped' writes them");
  auto small = prune_and_compact(*model, {2, 5, 5});
  check_whole_channels(groups[0]);
  CHECK(shape_of(*small, "dw.weight") == Shape{2, 1, 3, 3});  // still depthwise, 2 channels
  CHECK(shape_of(*small, "pw.weight") == Shape{6, 2, 1, 1});  // pinned: all 6 filters stay
  CHECK(shape_of(*small, "grouped.weight") == Shape{6, 3, 3, 3});
}

TEST_CASE("dependency groups: aggregation of the writers' scores") {
  const std::vector<std::vector<double>> scores{{1.0, 4.0, -INFINITY}, {3.0, 2.0, -INFINITY}};
  CHECK(aggregate_group_scores(scores, GroupAggregation::sum) ==
        std::vector<double>{4.0, 6.0, -INFINITY});
  CHECK(aggregate_group_scores(scores, GroupAggregation::mean) ==
        std::vector<double>{2.0, 3.0, -INFINITY});
  CHECK(aggregate_group_scores(scores, GroupAggregation::max) ==
        std::vector<double>{3.0, 4.0, -INFINITY});
  CHECK(parse_group_aggregation("max") == GroupAggregation::max);
  CHECK_THROWS_WITH(parse_group_aggregation("median"),
                    "unknown group_aggregation 'median' (expected one of: sum, mean, max)");
}
