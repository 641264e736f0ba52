// Filter pruning by dependency groups on ResNet-20 (projection shortcuts) and a VGG-style net
// with BatchNorm, at 25/50/75% with every structured criterion, layer-wise and global: the
// compacted copy computes the masked model's outputs, and layer-wise its parameter and MAC
// counts are the hand-derived figures of the same net at the kept widths.
#include <doctest/doctest.h>

#include "core/ops.h"
#include "gradcheck.h"
#include "measure/compact.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

const Shape resnet_input{3, 8, 8};  // small images keep the test fast: 8x8, 4x4, 2x2 stages
const Shape vgg_input{3, 8, 8};

// A VGG-style net: two stages of two 3x3 conv-BN-ReLU, 2x2 max pooling after each, dense 10.
std::vector<LayerSpec> vgg_style() {
  std::vector<LayerSpec> layers;
  const double widths[] = {8, 8, 16, 16};
  for (int i = 0; i < 4; ++i) {
    const std::string id = std::to_string(i + 1);
    layers.push_back(layer("conv2d", "conv" + id,
                           {{"out", widths[i]}, {"kernel", 3}, {"padding", 1}, {"bias", 0}}));
    layers.push_back(layer("batchnorm", "bn" + id));
    layers.push_back(layer("relu"));
    if (i % 2 == 1) layers.push_back(layer("maxpool2d", "pool" + id, {{"kernel", 2}}));
  }
  layers.push_back(layer("flatten"));
  layers.push_back(layer("dense", "fc", {{"out", 10}}));
  return layers;
}

std::shared_ptr<Sequential> build(const std::vector<LayerSpec>& layers, const Shape& input) {
  Rng rng(7);
  auto model = build_model(layers, input, Init::kaiming_uniform, rng);
  Shape batch{8};
  batch.insert(batch.end(), input.begin(), input.end());
  model->train();  // running statistics that are not the identity
  model->forward(Variable(poda::testing::random_array(batch, 3, -1.0f, 1.0f)));
  // BatchNorm scales that differ per channel, so bn_scale ranks something.
  for (auto& [name, p] : model->named_parameters())
    if (p->value.shape().size() == 1 && name.find("bn") != std::string::npos &&
        name.find("weight") != std::string::npos)
      p->value.data() = poda::testing::random_array(p->value.shape(), name.size(), 0.1f, 1.0f);
  model->eval();
  return model;
}

Variable batch_of(const Shape& input, std::size_t n, std::uint64_t seed) {
  Shape shape{n};
  shape.insert(shape.end(), input.begin(), input.end());
  return Variable(poda::testing::random_array(shape, seed, -1.0f, 1.0f));
}

void prune_filters(Sequential& model, const Shape& input, const std::string& criterion, Scope scope,
                   double sparsity) {
  PruneSettings s;
  s.criterion = criterion;
  s.granularity.kind = Granularity::filter;
  s.scope = scope;
  s.sparsity = sparsity;
  CriterionContext ctx;
  const Variable x = batch_of(input, 4, 23);
  ctx.compute_gradients = [&x](Module& m, int) { sum(m.forward(x)).backward(); };
  ctx.batches = 1;
  prune(model, s, sparsity, ctx);
}

// Parameters (conv weights without bias, BatchNorm gamma and beta, dense weight and bias) of
// ResNet-20 at stage widths a, b, c, and its MACs on 3x8x8 (stages at 8x8, 4x4, 2x2):
//   stem 3x3 conv 3->a and BN:         27a + 2a             MACs 27a * 64
//   stage 1, three blocks of two 3x3 convs a->a with BN:    3 (18a^2 + 4a)    MACs 6 * 9a^2 * 64
//   stage 2, block 0: 3x3 a->b, 3x3 b->b, 1x1 shortcut a->b, three BNs:
//                                      9ab + 9b^2 + ab + 6b  MACs (9ab + 9b^2 + ab) * 16
//            blocks 1, 2:              2 (18b^2 + 4b)        MACs 4 * 9b^2 * 16
//   stage 3 likewise with b->c at 2x2; dense c->10 with bias: 10c + 10, MACs 10c.
// At full width (16, 32, 64) this is the zoo's 272,474 parameters. At 50% (8, 16, 32):
//   216+16 + 3(1152+32) + (1152+2304+128+96) + 2(4608+64) + (4608+9216+512+192)
//   + 2(18432+128) + 330 = 232 + 3552 + 3680 + 9344 + 14528 + 37120 + 330 = 68,786
//   MACs 13824 + 221184 + 57344 + 147456 + 57344 + 147456 + 320 = 644,928.
std::size_t resnet_params(std::size_t a, std::size_t b, std::size_t c) {
  auto stage = [](std::size_t in, std::size_t w, bool projection) {
    const std::size_t first = 9 * in * w + 9 * w * w + 4 * w + (projection ? in * w + 2 * w : 0);
    return first + 2 * (18 * w * w + 4 * w);
  };
  return 27 * a + 2 * a + stage(a, a, false) + stage(a, b, true) + stage(b, c, true) + 10 * c + 10;
}

std::size_t resnet_macs(std::size_t a, std::size_t b, std::size_t c) {
  const std::size_t stage1 = 6 * 9 * a * a * 64;
  const std::size_t stage2 = (9 * a * b + 9 * b * b + a * b) * 16 + 4 * 9 * b * b * 16;
  const std::size_t stage3 = (9 * b * c + 9 * c * c + b * c) * 4 + 4 * 9 * c * c * 4;
  return 27 * a * 64 + stage1 + stage2 + stage3 + 10 * c;
}

// The VGG-style net at widths a (stage 1) and b (stage 2) on 3x8x8: convs 3->a, a->a at 8x8,
// a->b, b->b at 4x4, BN after each, dense from b channels of 2x2.
std::size_t vgg_params(std::size_t a, std::size_t b) {
  return 27 * a + 9 * a * a + 9 * a * b + 9 * b * b + 4 * (a + b) + 4 * b * 10 + 10;
}
std::size_t vgg_macs(std::size_t a, std::size_t b) {
  return (27 * a + 9 * a * a) * 64 + (9 * a * b + 9 * b * b) * 16 + 4 * b * 10;
}

std::size_t kept(std::size_t n, double sparsity) {
  return n - static_cast<std::size_t>(sparsity * n + 0.5);
}

const char* const criteria[] = {"l1_norm", "l2_norm", "bn_scale", "taylor", "magnitude"};

}  // namespace

TEST_CASE("structured compaction: hand-derived counts of ResNet-20 at half width") {
  CHECK(resnet_params(16, 32, 64) == 272474);  // the zoo's figure, dense
  CHECK(resnet_params(8, 16, 32) == 68786);
  CHECK(resnet_macs(8, 16, 32) == 644928);
  auto dense = build(find_zoo_model("resnet20")->layers, resnet_input);
  CHECK(dense->parameter_count() == resnet_params(16, 32, 64));
  CHECK(dense->macs(resnet_input) == resnet_macs(16, 32, 64));
}

// Prunes a fresh model from `make` by filters with every criterion, scope and sparsity and
// checks its compacted copy: the same outputs, fewer MACs, and at layer scope the parameter
// and MAC counts `expect` derives from the sparsity.
template <class Make, class Expect>
void check_filter_compaction(Make make, const Shape& input, Expect expect) {
  for (const char* criterion : criteria)
    for (double sparsity : {0.25, 0.5, 0.75})
      for (Scope scope : {Scope::layer, Scope::global}) {
        CAPTURE(criterion);
        CAPTURE(sparsity);
        CAPTURE(scope_name(scope));
        auto model = make();
        prune_filters(*model, input, criterion, scope, sparsity);
        const CompactResult c = compact_model(*model, input);
        REQUIRE_MESSAGE(c.model, c.reason);
        const Variable x = batch_of(input, 3, 31);
        NoGradGuard no_grad;
        CHECK(xt::allclose(model->forward(x).data(), c.model->forward(x).data(), 1e-5, 1e-5));
        CHECK(c.model->macs(input) < model->macs(input));
        if (scope != Scope::layer) continue;
        const auto [params, macs] = expect(sparsity);
        CHECK(c.model->parameter_count() == params);
        CHECK(c.model->macs(input) == macs);
      }
}

TEST_CASE("structured compaction: ResNet-20 by filters, every criterion, 25/50/75%") {
  check_filter_compaction([] { return build(find_zoo_model("resnet20")->layers, resnet_input); },
                          resnet_input,
                          [](double s) {
                            const std::size_t a = kept(16, s), b = kept(32, s), w = kept(64, s);
                            return std::pair(resnet_params(a, b, w), resnet_macs(a, b, w));
                          });
}

TEST_CASE("structured compaction: a VGG-style net by filters, every criterion, 25/50/75%") {
  check_filter_compaction([] { return build(vgg_style(), vgg_input); }, vgg_input,
                          [](double s) {
                            const std::size_t a = kept(8, s), b = kept(16, s);
                            return std::pair(vgg_params(a, b), vgg_macs(a, b));
                          });
}
