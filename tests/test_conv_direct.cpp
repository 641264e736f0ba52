// The im2col-free kernels of stride-1 convolutions (core/conv_direct.h), on every kernel
// target this CPU runs: the full Jacobian on small odd shapes, and the same outputs and
// gradients as the im2col + GEMM path on shapes that take several chunks, with and without
// a second thread; and the timed choice between the two paths (core/conv_choice.h).
#include <doctest/doctest.h>

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <string>

#include "core/conv_choice.h"
#include "core/conv_direct.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "kernels/isa.h"
#include "gradcheck.h"
#include "kernel_testing.h"

using namespace poda;
using poda::testing::check_jacobian;
using poda::testing::kernel_isas;
using poda::testing::random_array;

namespace {

// Restores the process-wide switches whatever a check does.
struct SwitchGuard {
  KernelIsa isa = kernel_isa();
  ~SwitchGuard() {
    set_kernel_isa(isa);
    set_conv_algorithm(ConvAlgorithm::automatic);
    force_conv_direct(false);
    set_compute_threads(1);
  }
};

struct Case {
  const char* name;
  std::size_t B, C, H, W, O, k, pad;
};

// y, dx, dw, db of one conv2d with a random output gradient.
std::vector<Array> conv_and_grads(const Array& x, const Array& w, const Array& b, std::size_t pad) {
  Variable vx(x, true), vw(w, true), vb(b, true);
  Variable y = conv2d(vx, vw, vb, {1, pad, 1, 1});
  y.backward(random_array(y.shape(), 44));
  return {y.data(), vx.grad(), vw.grad(), vb.grad()};
}

// Within 1e-5 of the larger magnitude of the reference.
void check_close(const Array& got, const Array& want) {
  const float scale = xt::amax(xt::abs(want))();
  CHECK(xt::allclose(got, want, 1e-5, 1e-5 * scale));
}

}  // namespace

TEST_CASE("conv2d direct: the shapes it takes") {
  auto dims = [](std::size_t k, std::size_t stride, std::size_t pad, std::size_t dil,
                 std::size_t groups) {
    return ConvDims{2, 4, 8, 8, 4, k, k, 8, 8, stride, pad, dil, groups};
  };
  CHECK(conv_direct_applies(dims(3, 1, 1, 1, 1)));
  CHECK(conv_direct_applies(dims(1, 1, 1, 1, 1)));        // padded 1x1
  CHECK_FALSE(conv_direct_applies(dims(1, 1, 0, 1, 1)));  // already a plain GEMM
  CHECK_FALSE(conv_direct_applies(dims(3, 2, 1, 1, 1)));
  CHECK_FALSE(conv_direct_applies(dims(3, 1, 2, 2, 1)));
  CHECK_FALSE(conv_direct_applies(dims(3, 1, 1, 1, 2)));
  CHECK(conv_direct_applies(ConvDims{1, 1, 20, 20, 1, 16, 16, 5, 5, 1, 0, 1, 1}));
  CHECK_FALSE(conv_direct_applies(ConvDims{1, 1, 20, 20, 1, 17, 17, 4, 4, 1, 0, 1, 1}));
}

TEST_CASE("conv2d direct: full Jacobian on odd shapes, paddings and kernels, every target") {
  const Case cases[] = {
      {"3x3 pad 1, 3 -> 5 channels", 2, 3, 5, 7, 5, 3, 1},
      {"3x3 pad 0", 3, 2, 6, 5, 3, 3, 0},
      {"5x5 pad 2", 2, 2, 5, 6, 3, 5, 2},
      {"1x1 pad 1", 2, 3, 3, 4, 2, 1, 1},
      {"5x5 pad 0 on 5x5", 2, 2, 5, 5, 3, 5, 0},
      {"3x3 pad 1 on 3x8 (rows of whole vectors: the row grid)", 2, 2, 3, 8, 3, 3, 1},
  };
  SwitchGuard guard;
  force_conv_direct(true);
  for (KernelIsa isa : kernel_isas())
    for (const Case& c : cases) {
      CAPTURE(kernel_isa_name(isa));
      CAPTURE(c.name);
      set_kernel_isa(isa);
      const std::size_t pad = c.pad;
      const Array x = random_array({c.B, c.C, c.H, c.W}, 1);
      const Array w = random_array({c.O, c.C, c.k, c.k}, 2);
      const Array b = random_array({c.O}, 3);
      check_jacobian(
          [pad](auto& v) {
            return conv2d(v[0], v[1], v[2], {1, pad, 1, 1});
          },
          {x, w, b});
      check_jacobian(
          [pad](auto& v) {
            return conv2d(v[0], v[1], Variable(), {1, pad, 1, 1});
          },
          {x, w});
    }
}

TEST_CASE("conv2d direct: equals im2col + GEMM within 1e-5, chunked and on two threads") {
  // The first case, 17 channels of 16x16 padded planes (4,352 floats a sample), runs 3
  // samples per chunk (conv_direct.cpp: about 16k floats): chunks of 3, 3 and 1 on one
  // thread, 3+1 and 3 on two; the second chunks of 2 and 1, the third one chunk of all 4.
  const Case cases[] = {
      {"3x3 pad 1, 8 -> 17 channels", 7, 8, 14, 14, 17, 3, 1},
      {"3x3 pad 2, 17 -> 33 channels", 3, 17, 9, 11, 33, 3, 2},
      {"5x5 pad 1, 19 -> 16 channels", 4, 19, 8, 13, 16, 5, 1},
      {"3x3 pad 1, 16 -> 12 channels on 8x16 (the row grid)", 5, 16, 8, 16, 12, 3, 1},
      {"3x3 pad 1, 32 -> 8 channels on 8x8 (the row grid, several samples a chunk)", 9, 32, 8, 8, 8, 3, 1},
  };
  SwitchGuard guard;
  for (KernelIsa isa : kernel_isas())
    for (const Case& c : cases) {
      CAPTURE(kernel_isa_name(isa));
      CAPTURE(c.name);
      set_kernel_isa(isa);
      const Array x = random_array({c.B, c.C, c.H, c.W}, 11);
      const Array w = random_array({c.O, c.C, c.k, c.k}, 12);
      const Array b = random_array({c.O}, 13);
      set_conv_algorithm(ConvAlgorithm::im2col);
      const std::vector<Array> want = conv_and_grads(x, w, b, c.pad);
      set_conv_algorithm(ConvAlgorithm::automatic);
      force_conv_direct(true);
      for (int threads : {1, 2}) {
        CAPTURE(threads);
        set_compute_threads(threads);
        const std::vector<Array> got = conv_and_grads(x, w, b, c.pad);
        for (std::size_t k = 0; k < want.size(); ++k) {
          CAPTURE(k);
          check_close(got[k], want[k]);
        }
      }
      set_compute_threads(1);
      force_conv_direct(false);
    }
}

TEST_CASE("conv2d direct: the timed choice keeps im2col's results and is made once per shape") {
  SwitchGuard guard;
  clear_conv_choices();
  const Case c{"3x3 pad 1, 8 -> 17 channels", 5, 8, 14, 14, 17, 3, 1};
  const Array x = random_array({c.B, c.C, c.H, c.W}, 21);
  const Array w = random_array({c.O, c.C, c.k, c.k}, 22);
  const Array b = random_array({c.O}, 23);
  set_conv_algorithm(ConvAlgorithm::im2col);
  const std::vector<Array> want = conv_and_grads(x, w, b, c.pad);
  CHECK(conv_choices_text().empty());  // forced: nothing timed
  set_conv_algorithm(ConvAlgorithm::automatic);
  const std::vector<Array> got = conv_and_grads(x, w, b, c.pad);
  for (std::size_t k = 0; k < want.size(); ++k) {
    CAPTURE(k);
    check_close(got[k], want[k]);
  }
  // forward, data gradient (a forward conv of dy) and weight gradient: one line each
  const std::string text = conv_choices_text();
  CAPTURE(text);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CHECK(text.find("weight grad") != std::string::npos);
  CHECK(text.find(kernel_isa_name(kernel_isa())) != std::string::npos);
  conv_and_grads(x, w, b, c.pad);
  CHECK(conv_choices_text() == text);  // cached: the second step times nothing
  clear_conv_choices();
}

TEST_CASE("conv2d direct: layers of other paddings in between leave a layer's zero borders") {
  // 6x6 maps padded by 1 and 8x8 maps unpadded fill the same 8x8 planes of the workspace: the
  // second writes data where the first has its zero border, which the first must write again
  // when it comes back (conv_direct.cpp writes the zeros only when the layout changes).
  SwitchGuard guard;
  const Case a{"3x3 pad 1 on 6x6", 2, 4, 6, 6, 8, 3, 1}, b{"3x3 pad 0 on 8x8", 2, 4, 8, 8, 8, 3, 0};
  auto inputs = [](const Case& c, unsigned seed) {
    return std::vector<Array>{random_array({c.B, c.C, c.H, c.W}, seed),
                              random_array({c.O, c.C, c.k, c.k}, seed + 1),
                              random_array({c.O}, seed + 2)};
  };
  const std::vector<Array> in_a = inputs(a, 31), in_b = inputs(b, 41);
  for (KernelIsa isa : kernel_isas()) {
    CAPTURE(kernel_isa_name(isa));
    set_kernel_isa(isa);
    set_conv_algorithm(ConvAlgorithm::im2col);
    const std::vector<Array> want_a = conv_and_grads(in_a[0], in_a[1], in_a[2], a.pad);
    const std::vector<Array> want_b = conv_and_grads(in_b[0], in_b[1], in_b[2], b.pad);
    set_conv_algorithm(ConvAlgorithm::automatic);
    force_conv_direct(true);
    for (int round = 0; round < 2; ++round) {
      CAPTURE(round);
      const std::vector<Array> got_a = conv_and_grads(in_a[0], in_a[1], in_a[2], a.pad);
      const std::vector<Array> got_b = conv_and_grads(in_b[0], in_b[1], in_b[2], b.pad);
      for (std::size_t k = 0; k < want_a.size(); ++k) {
        CAPTURE(k);
        check_close(got_a[k], want_a[k]);
        check_close(got_b[k], want_b[k]);
      }
    }
    force_conv_direct(false);
  }
}
