// The inference path computes what the masked autograd model computes: folded dense, sparse
// and compacted plans, every granularity, 0%, 50%, 99% and a fully pruned layer, on
// Fashion-MNIST images (random inputs when the dataset is not installed), with the portable
// and the AVX-512 kernels.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include <xtensor/xview.hpp>

#include "core/ops.h"
#include "data/data_error.h"
#include "data/mnist.h"
#include "gradcheck.h"
#include "kernel_testing.h"
#include "infer/plan.h"
#include "kernels/sparse_kernels.h"
#include "infer/synthetic.h"
#include "measure/compact.h"
#include "nn/layers/activation.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/dense.h"
#include "nn/layers/global_avg_pool.h"
#include "nn/layers/max_pool2d.h"
#include "nn/layers/residual.h"

using namespace poda;
using poda::testing::kernel_isas;

namespace {

// What the autograd model computes on x, without recording a graph: the reference.
Array eval_forward(Module& model, const Array& x) {
  NoGradGuard no_grad;
  return model.forward(Variable(x)).data();
}

// (n, 1, 28, 28): normalised Fashion-MNIST test images, or seeded normal values.
Array real_inputs(std::size_t n) {
  try {
    const ImageSet set = load_mnist_split(default_fashion_mnist_dir(), false);
    Array x = empty_array({n, 1, 28, 28});
    for (std::size_t i = 0; i < x.size(); ++i)
      x.data()[i] = (set.pixels[i] / 255.0f - 0.286f) / 0.353f;
    return x;
  } catch (const DataError&) {
    return poda::testing::random_array({n, 1, 28, 28}, 5);
  }
}

// conv-BN-ReLU, a residual block (conv-BN-ReLU-conv-BN + identity), a strided conv (dense
// kernel only), global pooling, Dense-BN1d-ReLU-Dense: every lowering and both folds.
std::shared_ptr<Sequential> bn_residual_model() {
  Rng rng(3);
  auto conv = [&rng](std::size_t in, std::size_t out, std::size_t stride) {
    Conv2dSettings s;
    s.in_channels = in;
    s.out_channels = out;
    s.kernel = 3;
    s.padding = 1;
    s.stride = stride;
    return std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng);
  };
  auto body = std::make_shared<Sequential>();
  body->add("conv1", conv(6, 6, 1)).add("bn1", std::make_shared<BatchNorm>(6, 3));
  body->add("relu", std::make_shared<ReLU>()).add("conv2", conv(6, 6, 1));
  body->add("bn2", std::make_shared<BatchNorm>(6, 3));
  auto m = std::make_shared<Sequential>();
  m->add("conv1", conv(1, 6, 1)).add("bn1", std::make_shared<BatchNorm>(6, 3));
  m->add("relu1", std::make_shared<ReLU>()).add("pool", std::make_shared<MaxPool2d>(2, 2, 0));
  m->add("block", std::make_shared<Residual>(body, nullptr)).add("relu2", std::make_shared<ReLU>());
  m->add("down", conv(6, 8, 2)).add("gap", std::make_shared<GlobalAvgPool>());
  m->add("fc1", std::make_shared<Dense>(8, 16, true, Init::kaiming_uniform, rng));
  m->add("bn3", std::make_shared<BatchNorm>(16, 1)).add("tanh", std::make_shared<Tanh>());
  m->add("fc2", std::make_shared<Dense>(16, 10, true, Init::kaiming_uniform, rng));
  Rng stats(9);  // running statistics and affine parameters away from the identity
  for (auto& [name, module] : m->named_modules())
    if (auto* bn = dynamic_cast<BatchNorm*>(module)) {
      for (auto& v : bn->running_mean()) v = 0.3f * stats.normal();
      for (auto& v : bn->running_var()) v = 0.5f + stats.uniform();
      for (auto& v : bn->weight().value.data()) v = 1.0f + 0.3f * stats.normal();
      for (auto& v : bn->bias().value.data()) v = 0.2f * stats.normal();
    }
  m->eval();
  return m;
}

std::shared_ptr<Sequential> test_model(const std::string& name) {
  if (name == "bn_residual") return bn_residual_model();
  return synthetic_model(name, {1, 28, 28}, 7);
}

// max |a - b| / max |reference|
double relative_error(const Array& a, const Array& reference) {
  REQUIRE(a.shape() == reference.shape());
  double diff = 0.0, scale = 1e-30;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::abs(a.data()[i] - reference.data()[i])));
    scale = std::max(scale, double(std::abs(reference.data()[i])));
  }
  return diff / scale;
}

struct IsaGuard {
  KernelIsa saved = kernel_isa();
  ~IsaGuard() { set_kernel_isa(saved); }
};

// Every plan of `model` agrees with its autograd forward at batch 1, 8 and 37.
void check_plans(Sequential& model, const Array& inputs) {
  model.eval();
  IsaGuard guard;
  const CompactResult compact = compact_model(model, {1, 28, 28});
  for (std::size_t batch : {1, 8, 37}) {
    CAPTURE(batch);
    Array x = xt::view(inputs, xt::range(0, batch));
    const Array reference = eval_forward(model, x);
    for (KernelIsa isa : kernel_isas()) {
      set_kernel_isa(isa);
      CAPTURE(kernel_isa_name(isa));
      for (Dispatch d : {Dispatch::dense, Dispatch::sparse, Dispatch::measured}) {
        CAPTURE(int(d));
        auto plan = build_plan(model, {1, 28, 28}, d);
        CHECK(relative_error(plan->forward(x), reference) <= 1e-5);
      }
      for (DenseKernel k : {DenseKernel::gemm, DenseKernel::direct}) {
        CAPTURE(dense_kernel_name(k));
        auto plan = build_plan(model, {1, 28, 28}, Dispatch::dense);
        plan->force_dense_kernel(k);
        CHECK(relative_error(plan->forward(x), reference) <= 1e-5);
        if (!compact.model) continue;
        auto small = build_plan(*compact.model, {1, 28, 28}, Dispatch::dense);
        small->force_dense_kernel(k);
        CHECK(relative_error(small->forward(x), reference) <= 1e-5);
      }
    }
  }
}

}  // namespace

TEST_CASE("infer: plans equal the masked autograd model for every granularity and sparsity") {
  const Array inputs = real_inputs(37);
  for (const std::string model_name : {"lenet300_100", "lenet5", "lenet5_caffe", "bn_residual"})
    for (const std::string granularity :
         {"unstructured", "neuron", "filter", "channel", "n_m", "block"})
      for (double sparsity : {0.0, 0.5, 0.99}) {
        CAPTURE(model_name);
        CAPTURE(granularity);
        CAPTURE(sparsity);
        auto model = test_model(model_name);
        prune_synthetic(*model, "magnitude", granularity, sparsity, 1);
        check_plans(*model, inputs);
      }
}

TEST_CASE("infer: one plan at batch 1, 8 and 1 again (its batch-1 layout changes are views)") {
  const Array inputs = real_inputs(8);
  auto model = test_model("lenet300_100");
  prune_synthetic(*model, "magnitude", "unstructured", 0.9, 1);
  model->eval();
  for (Dispatch d : {Dispatch::dense, Dispatch::sparse}) {
    CAPTURE(int(d));
    auto plan = build_plan(*model, {1, 28, 28}, d);
    for (std::size_t batch : {1, 8, 1, 8}) {
      CAPTURE(batch);
      Array x = xt::view(inputs, xt::range(0, batch));
      const Array before = x;
      CHECK(relative_error(plan->forward(x), eval_forward(*model, x)) <= 1e-5);
      CHECK(x == before);  // the caller's input is never written
    }
  }
}

TEST_CASE("infer: a fully pruned layer") {
  const Array inputs = real_inputs(37);
  for (const std::string model_name : {"lenet300_100", "lenet5", "bn_residual"}) {
    CAPTURE(model_name);
    auto model = test_model(model_name);
    prune_synthetic(*model, "magnitude", "unstructured", 0.5, 1);
    for (auto& [name, p] : model->named_parameters())
      if (name == "fc1.weight" || name == "conv1.weight")
        p->set_mask(zeros_array(p->value.shape()));
    check_plans(*model, inputs);
  }
}

TEST_CASE("infer: the direct convolution on the zoo's shapes, 1 to 64 channels, odd maps") {
  struct Case {
    std::size_t c_in, c_out, kernel, padding, h, w, groups;
  };
  // LeNet-5's, Caffe LeNet's and Conv-4's layers whole and cut down, odd maps, grouped, one
  // or two filters (the few-filter kernel)
  const Case cases[] = {{1, 1, 5, 2, 28, 28, 1},   {1, 6, 5, 2, 28, 28, 1},
                        {6, 16, 5, 0, 14, 14, 1},  {2, 3, 5, 0, 13, 11, 1},
                        {1, 20, 5, 0, 28, 28, 1},  {20, 50, 5, 0, 12, 12, 1},
                        {3, 64, 3, 1, 9, 7, 1},    {64, 64, 3, 1, 8, 8, 1},
                        {64, 5, 3, 1, 5, 17, 1},   {7, 9, 3, 1, 15, 15, 1},
                        {6, 10, 3, 2, 9, 10, 2},   {8, 8, 3, 1, 6, 6, 8},
                        {3, 2, 3, 1, 29, 19, 1},   {4, 1, 3, 0, 10, 33, 1}};
  IsaGuard guard;
  for (const Case& t : cases) {
    CAPTURE(t.c_in);
    CAPTURE(t.c_out);
    CAPTURE(t.h);
    CAPTURE(t.w);
    Rng rng(t.c_in * 100 + t.c_out);
    Conv2dSettings s;
    s.in_channels = t.c_in;
    s.out_channels = t.c_out;
    s.kernel = t.kernel;
    s.padding = t.padding;
    s.groups = t.groups;
    Sequential m;
    m.add("conv", std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng));
    m.add("relu", std::make_shared<ReLU>());
    const Shape input{t.c_in, t.h, t.w};
    for (std::size_t batch : {1, 3}) {
      CAPTURE(batch);
      const Array x = poda::testing::random_array({batch, t.c_in, t.h, t.w}, batch, -1.0f, 1.0f);
      const Array reference = eval_forward(m, x);
      for (KernelIsa isa : kernel_isas()) {
        set_kernel_isa(isa);
        CAPTURE(kernel_isa_name(isa));
        auto plan = build_plan(m, input, Dispatch::dense);
        plan->force_dense_kernel(DenseKernel::direct);
        CHECK(relative_error(plan->forward(x), reference) <= 1e-5);
        CHECK(plan->describe(batch).find("dense direct") != std::string::npos);
      }
    }
  }
}

TEST_CASE("infer: a ReLU after a Dense or Conv2d runs in its epilogue") {
  auto model = synthetic_model("lenet5", {1, 28, 28}, 7);
  auto plan = build_plan(*model, {1, 28, 28}, Dispatch::dense);
  plan->force_dense_kernel(DenseKernel::direct);
  const std::string text = plan->describe(1);
  CHECK(text.find("Conv2d(1 -> 6, 5x5, out 28x28) + ReLU") != std::string::npos);
  CHECK(text.find("Dense(120 -> 84) + ReLU") != std::string::npos);
  CHECK(text.find("Dense(84 -> 10) ") != std::string::npos);  // the last layer has none
}

TEST_CASE("infer: BatchNorm folds into the Conv2d or Dense before it") {
  auto model = bn_residual_model();
  auto plan = build_plan(*model, {1, 28, 28}, Dispatch::dense);
  const std::string text = plan->describe(1);
  // conv1, block.body.conv1, block.body.conv2, down, fc1, fc2: six layers, no BN left over
  CHECK(plan->choices(1).size() == 6);
  CHECK(text.find("block.body.conv2") != std::string::npos);
  CHECK(text.find("stride 2") != std::string::npos);  // the strided conv stays dense
}

TEST_CASE("infer: sizes of the dense and sparse formats") {
  auto model = synthetic_model("lenet300_100", {1, 28, 28}, 1);
  prune_synthetic(*model, "magnitude", "unstructured", 0.9, 1);
  auto plan = build_plan(*model, {1, 28, 28}, Dispatch::measured);
  CHECK(plan->bytes_dense() == 266610 * 4);
  std::size_t nnz = 0;
  for (const LayerChoice& c : plan->choices(1)) CHECK(c.density <= 0.11);
  for (auto& [name, p] : model->named_parameters())
    if (name.find("weight") != std::string::npos) nnz += count_nonzero_effective(*p);
  // values 4 + column 2 bytes per non-zero, row pointers 4 * (rows + 1), biases 4 * rows
  CHECK(plan->bytes_sparse() == nnz * 6 + 4 * (301 + 101 + 11) + 4 * (300 + 100 + 10));
}

TEST_CASE("infer: a layer without lowering is named") {
  struct Custom : Module {
    Variable forward(const Variable& x) override { return x; }
    std::string type_name() const override { return "Custom"; }
    Shape output_shape(const Shape& s) const override { return s; }
  };
  Sequential m;
  m.add("mystery", std::make_shared<Custom>());
  CHECK_THROWS_WITH_AS(build_plan(m, {4}, Dispatch::dense), doctest::Contains("'mystery' (Custom)"),
                       std::invalid_argument);
}

TEST_CASE("infer: the measured dispatch takes the sparse kernel only when it wins clearly") {
  // A near tie (LeNet-300-100's fc1 at 40% sparsity timed 17.2 us dense, 17.1 us sparse)
  // keeps the dense kernel; a clear win (more than kernel_switch_margin) takes the sparse one.
  CHECK_FALSE(candidate_wins(17.2, 17.1));
  CHECK_FALSE(candidate_wins(20.0, 18.5));
  CHECK_FALSE(candidate_wins(20.0, 20.0));
  CHECK_FALSE(candidate_wins(20.0, 25.0));
  CHECK_FALSE(candidate_wins(20.0, -1.0));  // not measured
  CHECK(candidate_wins(20.0, 17.9));
  CHECK(candidate_wins(18.1, 4.0));
  CHECK(candidate_wins(0.1, 0.0));
}

TEST_CASE("infer: the batched Dense kernel equals the GEMM path at batch 64, every target") {
  auto model = synthetic_model("lenet300_100", {1, 28, 28}, 7);
  model->eval();
  const Array x = poda::testing::random_array({64, 1, 28, 28}, 5);
  IsaGuard guard;
  for (KernelIsa isa : kernel_isas()) {
    set_kernel_isa(isa);  // before the build: the weights are packed for this target
    CAPTURE(kernel_isa_name(isa));
    auto gemm = build_plan(*model, {1, 28, 28}, Dispatch::dense);
    gemm->force_dense_kernel(DenseKernel::gemm);
    auto direct = build_plan(*model, {1, 28, 28}, Dispatch::dense);
    direct->force_dense_kernel(DenseKernel::direct);
    CHECK(direct->describe(64).find("dense gemm") == std::string::npos);
    CHECK(relative_error(direct->forward(x), gemm->forward(x)) <= 1e-5);
    // unforced, each Dense times both kernels at batch 64 and logs the two times
    auto measured = build_plan(*model, {1, 28, 28}, Dispatch::dense);
    const std::string text = measured->describe(64);
    CHECK(text.find("(gemm ") != std::string::npos);
    CHECK(text.find(" us, direct ") != std::string::npos);
  }
}
