// The transformer ops: values against naive loops, full Jacobians by central differences.
#include <doctest/doctest.h>

#include <cmath>

#include "core/ops_transformer.h"
#include "gradcheck.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::random_array;

namespace {

// Naive multi-head attention on (B, T, D) for comparing the strided GEMMs against:
// out[b, t, h*dh + j] = sum_s softmax_s(scale * q_bh[t] . k_bh[s]) v_bh[s, j].
Array naive_attention(const Array& q, const Array& k, const Array& v, std::size_t H, float scale) {
  const std::size_t B = q.shape()[0], T = q.shape()[1], D = q.shape()[2], dh = D / H;
  Array out = zeros_array({B, T, D});
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t t = 0; t < T; ++t) {
        std::vector<double> w(T);
        double total = 0.0;
        for (std::size_t s = 0; s < T; ++s) {
          double dot = 0.0;
          for (std::size_t j = 0; j < dh; ++j) dot += q(b, t, h * dh + j) * k(b, s, h * dh + j);
          total += (w[s] = std::exp(scale * dot));
        }
        for (std::size_t j = 0; j < dh; ++j) {
          double acc = 0.0;
          for (std::size_t s = 0; s < T; ++s) acc += w[s] / total * v(b, s, h * dh + j);
          out(b, t, h * dh + j) = static_cast<float>(acc);
        }
      }
  return out;
}

}  // namespace

TEST_CASE("gelu: the erf form's values (PyTorch's default) and Jacobian") {
  const Array x = {{-2.0f, -0.5f, 0.0f, 1.0f, 3.0f}};
  const Array y = gelu(Variable(x)).data();
  const float expected[] = {-0.0455003f, -0.1542714f, 0.0f, 0.8413447f, 2.9959502f};
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(y.data()[i] == doctest::Approx(expected[i]).epsilon(1e-5));
  check_jacobian([](auto& v) { return gelu(v[0]); }, {random_array({3, 5}, 1, 0.05f, 2.5f)});
}

TEST_CASE("softmax over the last axis: rows sum to 1, shift invariance, Jacobian") {
  Array x = random_array({2, 3, 5}, 2);
  const Array y = softmax(Variable(x)).data();
  for (std::size_t r = 0; r < 6; ++r) {
    double total = 0.0;
    for (std::size_t j = 0; j < 5; ++j) total += y.data()[r * 5 + j];
    CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
  }
  Array shifted = x + 100.0f;  // the max shift keeps exp finite
  const Array ys = softmax(Variable(shifted)).data();
  for (std::size_t i = 0; i < y.size(); ++i)
    CHECK(ys.data()[i] == doctest::Approx(y.data()[i]).epsilon(1e-4));
  check_jacobian([](auto& v) { return softmax(v[0]); }, {x});
  CHECK_THROWS_AS(softmax(Variable(zeros_array({2, 0}))), std::invalid_argument);
}

TEST_CASE("layer_norm: normalised rows, affine, Jacobian in x, gamma and beta") {
  const Array x = random_array({2, 3, 6}, 3, 0.1f, 2.0f);
  const Array gamma = random_array({6}, 4, 0.5f, 1.5f), beta = random_array({6}, 5);
  const Array ones = xt::ones<float>({6}), zeros = zeros_array({6});
  const Array y = layer_norm(Variable(x), Variable(ones), Variable(zeros), 1e-5f).data();
  for (std::size_t r = 0; r < 6; ++r) {
    double m = 0.0, v = 0.0;
    for (std::size_t j = 0; j < 6; ++j) m += y.data()[r * 6 + j];
    for (std::size_t j = 0; j < 6; ++j) v += std::pow(y.data()[r * 6 + j] - m / 6, 2);
    CHECK(m / 6 == doctest::Approx(0.0).epsilon(1e-5));
    CHECK(v / 6 == doctest::Approx(1.0).epsilon(1e-3));
  }
  check_jacobian([](auto& v) { return layer_norm(v[0], v[1], v[2], 1e-5f); }, {x, gamma, beta});
  check_jacobian([](auto& v) { return layer_norm(v[0], v[1], v[2], 1e-5f); }, {x, gamma, beta},
                 {true, false, false});
  CHECK_THROWS_AS(layer_norm(Variable(x), Variable(zeros_array({5})), Variable(zeros), 1e-5f),
                  std::invalid_argument);
}

TEST_CASE("attention_scores and attention_mix: naive multi-head attention, Jacobians") {
  const std::size_t B = 2, T = 3, D = 4, H = 2;
  const Array q = random_array({B, T, D}, 6), k = random_array({B, T, D}, 7),
              v = random_array({B, T, D}, 8);
  const float scale = 1.0f / std::sqrt(2.0f);
  const Array out =
      attention_mix(softmax(attention_scores(Variable(q), Variable(k), H, scale)), Variable(v), H)
          .data();
  const Array expected = naive_attention(q, k, v, H, scale);
  for (std::size_t i = 0; i < out.size(); ++i) {
    CAPTURE(i);
    CHECK(out.data()[i] == doctest::Approx(expected.data()[i]).epsilon(1e-5));
  }
  check_jacobian([&](auto& x) { return attention_scores(x[0], x[1], H, scale); }, {q, k});
  const Array p = random_array({B, H, T, T}, 9);
  check_jacobian([&](auto& x) { return attention_mix(x[0], x[1], H); }, {p, v});
  check_jacobian(  // the whole attention, as the layer composes it
      [&](auto& x) {
        return attention_mix(softmax(attention_scores(x[0], x[1], H, scale)), x[2], H);
      },
      {q, k, v});
  CHECK_THROWS_AS(attention_scores(Variable(q), Variable(k), 3, scale), std::invalid_argument);
  const Variable empty(zeros_array({2, 0, 4}));  // no tokens: refused before any GEMM
  CHECK_THROWS_AS(attention_scores(empty, empty, 2, scale), std::invalid_argument);
  CHECK_THROWS_AS(attention_mix(Variable(random_array({B, H, T, 2}, 1)), Variable(v), H),
                  std::invalid_argument);
}

TEST_CASE("token ops: channels_to_tokens, prepend_token, first_token, mean_tokens") {
  const Array img = random_array({2, 3, 2, 2}, 10);  // (B, C, H, W) -> (B, 4, 3)
  const Array t = channels_to_tokens(Variable(img)).data();
  REQUIRE(to_shape(t.shape()) == Shape{2, 4, 3});
  CHECK(t(1, 2, 0) == img(1, 0, 1, 0));
  CHECK(t(0, 3, 2) == img(0, 2, 1, 1));
  check_jacobian([](auto& x) { return channels_to_tokens(x[0]); }, {img});

  const Array x = random_array({2, 3, 4}, 11), token = random_array({4}, 12);
  const Array y = prepend_token(Variable(x), Variable(token)).data();
  REQUIRE(to_shape(y.shape()) == Shape{2, 4, 4});
  CHECK(y(1, 0, 2) == token(2));
  CHECK(y(1, 3, 1) == x(1, 2, 1));
  check_jacobian([](auto& v) { return prepend_token(v[0], v[1]); }, {x, token});
  CHECK_THROWS_AS(prepend_token(Variable(x), Variable(random_array({3}, 1))),
                  std::invalid_argument);

  const Array pos = random_array({3, 4}, 13);
  const Array sum = add_to_each_sample(Variable(x), Variable(pos)).data();
  CHECK(sum(1, 2, 3) == x(1, 2, 3) + pos(2, 3));
  check_jacobian([](auto& v) { return add_to_each_sample(v[0], v[1]); }, {x, pos});
  CHECK_THROWS_AS(add_to_each_sample(Variable(x), Variable(token)), std::invalid_argument);

  const Array first = first_token(Variable(x)).data();
  CHECK(first(1, 3) == x(1, 0, 3));
  check_jacobian([](auto& v) { return first_token(v[0]); }, {x});
  const Array m = mean_tokens(Variable(x)).data();
  CHECK(m(0, 1) == doctest::Approx((x(0, 0, 1) + x(0, 1, 1) + x(0, 2, 1)) / 3).epsilon(1e-6));
  check_jacobian([](auto& v) { return mean_tokens(v[0]); }, {x});
  CHECK_THROWS_AS(mean_tokens(Variable(random_array({2, 3}, 1))), std::invalid_argument);
}
