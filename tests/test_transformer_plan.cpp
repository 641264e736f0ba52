// vit_tiny and a mean-pooled ViT lowered into the inference plan compute what the masked
// autograd model computes, dense and pruned, on every dispatch; the plan counts the MACs
// the model counts; a lowering without transformer ops names the layer it cannot take.
#include <doctest/doctest.h>

#include "gradcheck.h"
#include "infer/plan.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

using namespace poda;

namespace {

Array eval_forward(Module& model, const Array& x) {
  NoGradGuard no_grad;
  return model.forward(Variable(x)).data();
}

void check_plan_matches(Sequential& model, const Shape& input, const Array& x) {
  model.eval();
  const Array expected = eval_forward(model, x);
  for (Dispatch d : {Dispatch::dense, Dispatch::sparse, Dispatch::measured}) {
    CAPTURE(static_cast<int>(d));
    auto plan = build_plan(model, input, d);
    CHECK(plan->macs() == model.macs(input));
    std::size_t weights = 0;  // every parameter but LayerNorm's, the class token and positions
    for (auto& [name, p] : model.named_parameters())
      if (name.find("norm") == std::string::npos && name.find("position") == std::string::npos &&
          name.find("token") == std::string::npos)
        weights += p->value.size();
    CHECK(plan->bytes_dense() == weights * sizeof(float));
    for (std::size_t batch : {std::size_t{1}, x.shape()[0]}) {
      CAPTURE(batch);
      const float* y = plan->run(x.data(), batch);
      for (std::size_t i = 0; i < batch * expected.size() / x.shape()[0]; ++i)
        CHECK(y[i] == doctest::Approx(expected.data()[i]).epsilon(1e-4).scale(1.0));
    }
  }
}

std::shared_ptr<Sequential> build(const std::vector<LayerSpec>& layers, const Shape& input) {
  Rng rng(11);
  return build_model(layers, input, Init::kaiming_uniform, rng);
}

}  // namespace

TEST_CASE("vit_tiny lowered: the plan computes the autograd model, dense and 60% pruned") {
  auto model = build(find_zoo_model("vit_tiny")->layers, {1, 28, 28});
  const Array x = poda::testing::random_array({5, 1, 28, 28}, 12);
  SUBCASE("dense") {
    check_plan_matches(*model, {1, 28, 28}, x);
  }
  SUBCASE("pruned unstructured, global magnitude") {
    PruneSettings s;  // magnitude, unstructured, global
    CriterionContext ctx;
    prune(*model, s, 0.6, ctx);
    check_plan_matches(*model, {1, 28, 28}, x);
  }
}

TEST_CASE("a mean-pooled ViT with a GELU MLP lowered, and an unsupported lowering named") {
  LayerSpec pool = layer("token_pool");
  pool.strings["mode"] = "mean";
  auto model = build({layer("patch_embed", "patch", {{"patch", 4}, {"dim", 8}}), layer("pos_embed"),
                      layer("transformer_block", "block", {{"heads", 2}, {"hidden", 12}}), pool,
                      layer("dense", "head", {{"out", 3}})},
                     {2, 8, 8});
  check_plan_matches(*model, {2, 8, 8}, poda::testing::random_array({3, 2, 8, 8}, 13));

  struct Bare : Lowering {  // a backend that knows no transformer op
    void dense(Array, Array) override {}
    void conv2d(Array, Array, const ConvGeometry&) override {}
    void channel_affine(Array, Array) override {}
    void relu() override {}
    void tanh() override {}
    void sigmoid() override {}
    void max_pool2d(std::size_t, std::size_t, std::size_t) override {}
    void avg_pool2d(std::size_t, std::size_t, std::size_t) override {}
    void global_avg_pool() override {}
    void flatten() override {}
    void residual_begin() override {}
    void residual_shortcut() override {}
    void residual_end() override {}
  } bare;
  CHECK_THROWS_WITH_AS(model->lower(bare),
                       doctest::Contains("'patch.tokens': ToTokens is not supported"),
                       std::invalid_argument);
}
