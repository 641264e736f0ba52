#include <doctest/doctest.h>

#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "core/ops.h"
#include "core/parallel.h"
#include "gradcheck.h"
#include "nn/layers/activation.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/sequential.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

namespace {
// Direct convolution in double, the definition written out: the reference for im2col.
Array conv_reference(const Array& x, const Array& w, const Array* b, const Conv2dOptions& o) {
  const std::size_t B = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const std::size_t O = w.shape()[0], cg = w.shape()[1], k = w.shape()[2];
  const std::size_t OH = conv_out_size(H, k, o.stride, o.padding, o.dilation);
  const std::size_t OW = conv_out_size(W, k, o.stride, o.padding, o.dilation);
  const std::size_t og = O / o.groups;
  Array y = zeros_array({B, O, OH, OW});
  for (std::size_t n = 0; n < B; ++n)
    for (std::size_t oc = 0; oc < O; ++oc)
      for (std::size_t oh = 0; oh < OH; ++oh)
        for (std::size_t ow = 0; ow < OW; ++ow) {
          double acc = b ? (*b)(oc) : 0.0;
          for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t i = 0; i < k; ++i)
              for (std::size_t j = 0; j < k; ++j) {
                const long ih = long(oh * o.stride + i * o.dilation) - long(o.padding);
                const long iw = long(ow * o.stride + j * o.dilation) - long(o.padding);
                if (ih < 0 || iw < 0 || ih >= long(H) || iw >= long(W)) continue;
                acc += double(w(oc, c, i, j)) * x(n, (oc / og) * cg + c, ih, iw);
              }
          y(n, oc, oh, ow) = static_cast<float>(acc);
        }
  (void)C;
  return y;
}

struct ConvCase {
  const char* name;
  std::size_t B, C, H, W, O, k;
  Conv2dOptions options;
};
}  // namespace

TEST_CASE("conv2d: matches a direct convolution and its full Jacobian") {
  const ConvCase cases[] = {
      {"plain 3x3", 2, 2, 5, 5, 3, 3, {}},
      {"stride 2, padding 1", 2, 2, 6, 5, 3, 3, {2, 1, 1, 1}},
      {"dilation 2, padding 2", 1, 2, 6, 6, 2, 3, {1, 2, 2, 1}},
      {"groups 2", 2, 4, 4, 4, 6, 3, {1, 1, 1, 2}},
      {"depthwise", 2, 3, 5, 4, 3, 3, {1, 1, 1, 3}},
      {"1x1 fast path", 2, 3, 3, 4, 4, 1, {}},
      {"1x1 fast path, groups 2", 2, 4, 3, 3, 2, 1, {1, 0, 1, 2}},
      {"1x1 stride 2 (projection shortcut)", 2, 3, 5, 5, 4, 1, {2, 0, 1, 1}},
      {"kernel = padded input", 1, 1, 3, 3, 2, 5, {1, 1, 1, 1}},
  };
  for (ConvBatching mode : {ConvBatching::per_sample, ConvBatching::batched})
    for (const ConvCase& c : cases) {
      CAPTURE(c.name);
      CAPTURE(static_cast<int>(mode));
      set_conv_batching(mode);
      const Conv2dOptions o = c.options;
      const Array x = random_array({c.B, c.C, c.H, c.W}, 1);
      const Array w = random_array({c.O, c.C / o.groups, c.k, c.k}, 2);
      const Array b = random_array({c.O}, 3);
      const Array y = conv2d(Variable(x), Variable(w), Variable(b), o).data();
      CHECK(xt::allclose(y, conv_reference(x, w, &b, o), 1e-4, 1e-5));
      check_jacobian([o](auto& v) { return conv2d(v[0], v[1], v[2], o); }, {x, w, b});
    }
  set_conv_batching(ConvBatching::automatic);
}

TEST_CASE("conv2d: no bias — an input without gradient gets no gradient work") {
  const Conv2dOptions o{1, 1, 1, 1};
  for (ConvBatching mode : {ConvBatching::per_sample, ConvBatching::batched}) {
    CAPTURE(static_cast<int>(mode));
    set_conv_batching(mode);
    const Array x = random_array({2, 2, 4, 4}, 4), w = random_array({3, 2, 3, 3}, 5);
    check_jacobian([o](auto& v) { return conv2d(v[0], v[1], Variable(), o); }, {x, w});
    check_jacobian([o](auto& v) { return conv2d(v[0], v[1], Variable(), o); }, {x, w},
                   {false, true});
    Variable vx(x, false), vw(w, true);
    sum(conv2d(vx, vw, Variable(), o)).backward();
    CHECK_FALSE(vx.has_grad());
    CHECK(vw.has_grad());
  }
  set_conv_batching(ConvBatching::automatic);
}

TEST_CASE("conv2d: a batch larger than one chunk gives the per-sample results") {
  // 40 x 3x28x28, 32 filters of 5x5: 43,200 column entries and 1.4M MACs per sample, so
  // samples are batched, 24 to a chunk: two chunks, the second one partial.
  const Conv2dOptions o{};
  const Array x = random_array({40, 3, 28, 28}, 6), w = random_array({32, 3, 5, 5}, 7);
  Variable vx(x, true), vw(w, true);
  Variable y = conv2d(vx, vw, Variable(), o);
  CHECK(xt::allclose(y.data(), conv_reference(x, w, nullptr, o), 1e-4, 1e-4));
  Array seed = random_array(y.shape(), 8);
  y.backward(seed);
  // The weight gradient summed over the batch equals the sum of per-sample gradients.
  Array dw_sum = zeros_array(to_shape(w.shape()));
  for (std::size_t n = 0; n < 40; ++n) {
    Array xn = xt::view(x, xt::range(n, n + 1));
    Array sn = xt::view(seed, xt::range(n, n + 1));
    Variable vn(xn), wn(w, true);
    conv2d(vn, wn, Variable(), o).backward(sn);
    dw_sum += wn.grad();
  }
  CHECK(xt::allclose(vw.grad(), dw_sum, 1e-3, 1e-3));
}

TEST_CASE("conv2d: bad shapes are rejected with both shapes named") {
  Variable x(zeros_array({1, 3, 4, 4})), w(zeros_array({2, 3, 5, 5}));
  CHECK_THROWS_WITH_AS(conv2d(x, w, Variable(), {}),
                       "conv2d: input (1, 3, 4, 4), weight (2, 3, 5, 5): kernel does not fit the "
                       "padded input",
                       std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Variable(zeros_array({2, 2, 1, 1})), Variable(), {}),
                  std::invalid_argument);
  CHECK_THROWS_AS(conv2d(x, Variable(zeros_array({2, 1, 1, 1})), Variable(), {1, 0, 1, 2}),
                  std::invalid_argument);
  CHECK(conv_out_size(28, 5, 1, 0, 1) == 24);
  CHECK(conv_out_size(32, 3, 2, 1, 1) == 16);
  CHECK(conv_out_size(4, 3, 1, 0, 2) == 0);
}

TEST_CASE("Conv2d layer: a filter mask zeroes its output channel and its gradient") {
  Rng rng(9);
  Conv2dSettings s;
  s.in_channels = 2;
  s.out_channels = 3;
  s.kernel = 3;
  s.padding = 1;
  Conv2d conv(s, Init::kaiming_uniform, rng);
  CHECK(conv.weight().value.shape() == Shape{3, 2, 3, 3});
  CHECK(conv.weight().prunable);
  CHECK_FALSE(conv.bias()->prunable);
  Array mask = xt::ones<float>({3, 2, 3, 3});
  xt::view(mask, 1) = 0.0f;  // prune filter 1
  conv.weight().set_mask(mask);
  conv.bias()->value.data().fill(0.0f);
  Variable x(random_array({2, 2, 5, 5}, 10));
  Variable y = conv.forward(x);
  CHECK(y.shape() == Shape{2, 3, 5, 5});
  CHECK(xt::all(xt::equal(xt::view(y.data(), xt::all(), 1), 0.0f)));
  sum(y).backward();
  CHECK(xt::all(xt::equal(xt::view(conv.weight().value.grad(), 1), 0.0f)));
  CHECK(xt::any(xt::not_equal(xt::view(conv.weight().value.grad(), 0), 0.0f)));
  CHECK(conv.macs({2, 5, 5}) == 3 * 25 * 18);
  CHECK_THROWS_WITH_AS(conv.output_shape({3, 5, 5}),
                       "Conv2d expects input (2, H, W) but gets (3, 5, 5)", ShapeError);
}

TEST_CASE("conv2d: two compute threads give the one-thread results and gradients") {
  // ResNet-20's shapes, scaled down: 3x3 stride 1 (data gradient as a convolution), 3x3 stride
  // 2 and the 1x1 stride-2 projection (col2im path), each batched and per sample.
  const ConvCase cases[] = {{"3x3 stride 1", 6, 4, 8, 8, 4, 3, {1, 1, 1, 1}},
                            {"3x3 stride 2", 5, 4, 8, 8, 8, 3, {2, 1, 1, 1}},
                            {"1x1 stride 2", 5, 4, 8, 8, 8, 1, {2, 0, 1, 1}}};
  for (ConvBatching mode : {ConvBatching::per_sample, ConvBatching::batched})
    for (const ConvCase& c : cases) {
      CAPTURE(c.name);
      set_conv_batching(mode);
      const Array x = random_array({c.B, c.C, c.H, c.W}, 21);
      const Array w = random_array({c.O, c.C, c.k, c.k}, 22);
      std::vector<Array> results;
      for (int threads : {1, 2}) {
        set_compute_threads(threads);
        Variable vx(x, true), vw(w, true);
        Variable y = conv2d(vx, vw, Variable(), c.options);
        y.backward(random_array(y.shape(), 23));
        results.insert(results.end(), {y.data(), vx.grad(), vw.grad()});
      }
      set_compute_threads(1);
      for (std::size_t k = 0; k < 3; ++k)
        CHECK(xt::allclose(results[k], results[k + 3], 1e-5, 1e-5));
    }
  set_conv_batching(ConvBatching::automatic);
}

TEST_CASE("conv2d: an input that already holds a gradient gets the conv's gradient added") {
  // x feeds two convs, so the second backward accumulates into x's gradient (beta 1): both
  // the data gradient taken as a convolution (stride 1) and the col2im path (stride 2).
  for (const Conv2dOptions o : {Conv2dOptions{1, 1, 1, 1}, Conv2dOptions{2, 1, 1, 1}}) {
    CAPTURE(o.stride);
    const Array x = random_array({2, 3, 5, 5}, 31), w1 = random_array({4, 3, 3, 3}, 32);
    const Array w2 = random_array({4, 3, 3, 3}, 33), b1 = random_array({4}, 34);
    check_jacobian(
        [o](auto& v) {
          return add(conv2d(v[0], v[1], v[2], o), conv2d(v[0], v[3], Variable(), o));
        },
        {x, w1, b1, w2});
  }
}

TEST_CASE("conv2d_relu: equals relu(conv2d), with its full Jacobian, on both conv paths") {
  // Stride 1 takes the direct kernels, stride 2 im2col + GEMM; both apply the ReLU per chunk.
  for (const Conv2dOptions o : {Conv2dOptions{1, 1, 1, 1}, Conv2dOptions{2, 1, 1, 1}}) {
    CAPTURE(o.stride);
    // The first seed whose pre-activations all stay 0.03 away from the ReLU's kink, so the
    // finite differences (steps of 1e-2) never cross it.
    Array x, w, b;
    bool clear = false;
    for (std::uint64_t seed = 51; seed < 251 && !clear; seed += 3) {
      x = random_array({2, 2, 4, 5}, seed);
      w = random_array({2, 2, 3, 3}, seed + 1);
      b = random_array({2}, seed + 2);
      const Array pre = conv2d(Variable(x), Variable(w), Variable(b), o).data();
      clear = xt::amin(xt::abs(pre))() > 0.03f;
    }
    REQUIRE(clear);
    Variable vx(x, true), vw(w, true), vb(b, true);
    Variable fused = conv2d_relu(vx, vw, vb, o);
    Variable plain = relu(conv2d(vx, vw, vb, o));
    CHECK(xt::allclose(fused.data(), plain.data(), 1e-6, 1e-6));
    CHECK(xt::any(xt::equal(fused.data(), 0.0f)));
    CHECK(xt::any(xt::greater(fused.data(), 0.0f)));
    check_jacobian([o](auto& v) { return conv2d_relu(v[0], v[1], v[2], o); }, {x, w, b});
  }
}

TEST_CASE("Sequential: Conv2d then ReLU runs fused and gives the unfused result") {
  Rng rng(54);
  Conv2dSettings s;
  s.in_channels = 2;
  s.out_channels = 3;
  s.kernel = 3;
  s.padding = 1;
  auto conv = std::make_shared<Conv2d>(s, Init::kaiming_uniform, rng);
  Sequential model;
  model.add("conv", conv).add("relu", std::make_shared<ReLU>());
  const Array x = random_array({2, 2, 5, 5}, 55);
  const Array y_fused = model.forward(Variable(x)).data();
  const Array y_conv = conv->forward(Variable(x)).data();
  CHECK(xt::allclose(y_fused, xt::maximum(y_conv, 0.0f)));
}
