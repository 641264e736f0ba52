// The per-channel batch-norm kernels (kernels/batch_norm_kernels.h) against plain double loops,
// on every kernel target this CPU runs: plane sizes around the vector widths (tails), the
// fused ReLU on and off, the input gradient written and accumulated, and nothing written
// outside the channel's planes.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "kernels/batch_norm_kernels.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::random_vector;

namespace {

// Channel 1 of three, B = 3: planes of S floats, stride 3 * S.
constexpr std::size_t B = 3, C = 3, channel = 1;

double at(const std::vector<float>& v, std::size_t b, std::size_t S, std::size_t k) {
  return v[(b * C + channel) * S + k];
}

// True for the floats of channel 1.
bool inside(std::size_t i, std::size_t S) {
  return i / S % C == channel;
}

}  // namespace

TEST_CASE("batch-norm kernels: statistics and apply, every target") {
  for (std::size_t S : {1, 3, 4, 7, 8, 9, 16, 17, 31, 64, 100}) {
    const std::vector<float> x = random_vector(B * C * S, S);
    for (const auto& [name, k] : poda::testing::builds_of(batch_norm_kernels())) {
      CAPTURE(name);
      CAPTURE(S);
      const float x0 = 0.25f, a = 1.5f, s = -0.2f;
      double sum, sq, es = 0.0, eq = 0.0;
      k.channel_sums(x.data() + channel * S, B, C * S, S, x0, sum, sq);
      for (std::size_t b = 0; b < B; ++b)
        for (std::size_t i = 0; i < S; ++i) {
          const double u = at(x, b, S, i) - x0;
          es += u;
          eq += u * u;
        }
      CHECK(sum == doctest::Approx(es).epsilon(1e-5));
      CHECK(sq == doctest::Approx(eq).epsilon(1e-5));
      for (bool relu : {false, true}) {
        std::vector<float> y(x.size(), -7.0f);
        k.channel_apply(y.data() + channel * S, x.data() + channel * S, B, C * S, S, a, s, relu);
        for (std::size_t i = 0; i < y.size(); ++i) {
          double e = inside(i, S) ? double(x[i]) * a + s : -7.0;
          if (inside(i, S) && relu) e = std::max(e, 0.0);
          CHECK(y[i] == doctest::Approx(e).epsilon(1e-5));
        }
      }
    }
  }
}

TEST_CASE("batch-norm kernels: parameter and input gradients, every target") {
  const BnChannel ch{1.3f, -0.1f, 0.05f, 0.2f, -0.3f};
  for (std::size_t S : {1, 5, 8, 13, 16, 24, 33, 64}) {
    const std::vector<float> x = random_vector(B * C * S, S), dy = random_vector(B * C * S, S + 9);
    const std::vector<float> old = random_vector(B * C * S, S + 17);
    for (const auto& [name, k] : poda::testing::builds_of(batch_norm_kernels()))
      for (bool relu : {false, true}) {
        CAPTURE(name);
        CAPTURE(S);
        CAPTURE(relu);
        auto g = [&](std::size_t i) {
          return relu && double(x[i]) * ch.a + ch.shift <= 0.0 ? 0.0 : double(dy[i]);
        };
        double sb, sg, eb = 0.0, eg = 0.0;
        k.channel_param_sums(x.data() + channel * S, dy.data() + channel * S, B, C * S, S, ch,
                             relu, sb, sg);
        for (std::size_t i = 0; i < x.size(); ++i)
          if (inside(i, S)) {
            eb += g(i);
            eg += g(i) * (double(x[i]) - ch.mu);
          }
        CHECK(sb == doctest::Approx(eb).epsilon(1e-5));
        CHECK(sg == doctest::Approx(eg).epsilon(1e-5));
        for (bool accumulate : {false, true}) {
          std::vector<float> dx = old;
          k.channel_input_grad(dx.data() + channel * S, accumulate, x.data() + channel * S,
                               dy.data() + channel * S, B, C * S, S, ch, relu);
          for (std::size_t i = 0; i < dx.size(); ++i) {
            double e = old[i];
            if (inside(i, S))
              e = (accumulate ? e : 0.0) + ch.a * g(i) + ch.c1 * double(x[i]) + ch.c0;
            CHECK(dx[i] == doctest::Approx(e).epsilon(1e-5));
          }
        }
      }
  }
}
