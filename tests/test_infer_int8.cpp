// The inference engine's int8 path (infer/int8_ops.h): a pruned conv + dense model lowered
// with calibrated input grids runs the int8 dense GEMM, the sparse int8 GEMM and the int8
// im2col convolution; the VNNI and scalar kernels give bit-identical outputs, the dense and
// sparse paths too (the same integers), and the outputs match the fake-quantized model
// (quantize/fake_quant_model.h) that acc_quant is measured on.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include "kernels/gemm_int8.h"
#include "int8_reference.h"
#include "core/random.h"
#include "experiment/config/config.h"
#include "infer/plan.h"
#include "nn/model_builder.h"
#include "quantize/fake_quant_model.h"

using namespace poda;
using namespace poda::testing;

namespace {

std::shared_ptr<Sequential> pruned_cnn() {
  const YAML::Node layers = YAML::Load(
      "[{type: conv2d, out: 4, kernel: 3, padding: 1}, {type: relu}, {type: maxpool2d, kernel: 2},"
      " {type: flatten}, {type: dense, out: 24}, {type: relu}, {type: dense, out: 5}]");
  Rng rng(3);
  auto model = build_model(parse_layer_list(layers, "t.yaml", "layers"), {1, 8, 8},
                           Init::kaiming_uniform, rng);
  for (auto& [name, p] : model->named_parameters()) {  // about 60% of each weight pruned
    if (!p->prunable) continue;
    Array mask = empty_array(p->value.shape());
    for (float& m : mask) m = rng.uniform() < 0.4f ? 1.0f : 0.0f;
    p->set_mask(std::move(mask));
  }
  return model;
}

// The layers' input grids: normalised pixels for the conv, ReLU outputs for the dense layers.
Int8Inputs input_grids() {
  return {{"0", activation_grid(-3.0f, 3.0f)},
          {"4", activation_grid(0.0f, 4.0f)},
          {"6", activation_grid(0.0f, 3.0f)}};
}

Array run_plan(Module& model, Dispatch dispatch, const Array& x, std::size_t batch) {
  auto plan = build_plan(model, {1, 8, 8}, dispatch, input_grids());
  plan->force_fp32_fallback(false);  // the int8 kernels themselves, never their timed fp32 fallback
  const float* y = plan->run(x.data(), batch);
  Array out = empty_array({batch, 5});
  std::copy(y, y + out.size(), out.data());
  return out;
}

}  // namespace

TEST_CASE("int8 inference: VNNI and scalar, dense and sparse paths agree exactly") {
  auto model = pruned_cnn();
  const std::size_t batch = 19;  // not a multiple of any register tile
  Array x = empty_array({batch, 1, 8, 8});
  Rng rng(5);
  for (float& v : x) v = rng.normal();

  auto plan = build_plan(*model, {1, 8, 8}, Dispatch::sparse, input_grids());
  const std::string described = plan->describe(batch);
  // The ReLU and the pooling after the convolution run in its epilogue (the fake-quantized
  // model below checks them, the fallback test the fp32 kernel's).
  CHECK(described.find("Conv2d int8(1 -> 4, k3) + ReLU + MaxPool2d(2)") != std::string::npos);
  CHECK(described.find("Dense int8") != std::string::npos);

  Array dense_scalar, sparse_scalar;
  {
    IsaScope scope(KernelIsa::scalar);
    dense_scalar = run_plan(*model, Dispatch::dense, x, batch);
    sparse_scalar = run_plan(*model, Dispatch::sparse, x, batch);
  }
  CHECK(xt::all(xt::equal(dense_scalar, sparse_scalar)));
  for (KernelIsa isa : kernel_isas()) {
    CAPTURE(kernel_isa_name(isa));
    IsaScope scope(isa);
    CHECK(xt::all(xt::equal(run_plan(*model, Dispatch::dense, x, batch), dense_scalar)));
    CHECK(xt::all(xt::equal(run_plan(*model, Dispatch::sparse, x, batch), dense_scalar)));
  }

  // The fake-quantized model computes the same levels in float: equal up to float rounding
  // (which can move an activation across a level boundary now and then).
  std::vector<LayerInputGrid> grids;
  for (const auto& [layer, grid] : input_grids()) grids.push_back({layer, grid});
  auto simulated = with_input_fake_quant(*model, grids);
  set_weight_fake_quant(*model, true);
  simulated->eval();
  const Array expected = simulated->forward(Variable(x)).data();
  set_weight_fake_quant(*model, false);
  const float scale = xt::amax(xt::abs(expected))();
  CHECK(xt::amax(xt::abs(expected - dense_scalar))() < 0.02f * scale);
  // And the fp32 plan differs from both (the int8 path is really quantized).
  auto fp32 = build_plan(*model, {1, 8, 8}, Dispatch::dense);
  const float* y = fp32->run(x.data(), batch);
  double diff = 0;
  for (std::size_t i = 0; i < dense_scalar.size(); ++i)
    diff += std::abs(y[i] - dense_scalar.data()[i]);
  CHECK(diff > 0.0);
}

TEST_CASE("int8 inference: each int8 layer is timed against its fp32 kernel, the faster runs") {
  auto model = pruned_cnn();
  const std::size_t batch = 7;
  Array x = empty_array({batch, 1, 8, 8});
  Rng rng(6);
  for (float& v : x) v = rng.normal();
  auto fp32 = build_plan(*model, {1, 8, 8}, Dispatch::dense);
  const float* y_fp32 = fp32->run(x.data(), batch);
  const std::vector<float> want(y_fp32, y_fp32 + batch * 5);
  auto plan = build_plan(*model, {1, 8, 8}, Dispatch::dense, input_grids());
  const std::vector<LayerChoice>& picked = plan->choices(batch);
  REQUIRE(picked.size() == 3);
  for (const LayerChoice& c : picked) {
    CAPTURE(c.name);
    CHECK(c.int8_us > 0.0);
    CHECK(c.fp32_us > 0.0);
    CHECK(c.fp32 == (c.fp32_us < c.int8_us));
  }
  CHECK(plan->describe(batch).find("(int8 ") != std::string::npos);
  // The fp32 fallback of every layer computes what the fp32 plan does.
  for (const LayerChoice& c : picked) CHECK(c.kind.find("int8") != std::string::npos);
  auto all_fp32 = build_plan(*model, {1, 8, 8}, Dispatch::dense, input_grids());
  all_fp32->force_fp32_fallback(true);
  for (const LayerChoice& c : all_fp32->choices(batch)) CHECK(c.fp32);
  const float* y = all_fp32->run(x.data(), batch);
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(y[i] == doctest::Approx(want[i]).epsilon(1e-4));
}
