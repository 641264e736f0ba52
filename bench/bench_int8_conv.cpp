// The int8 convolutions of LeNet-5 Caffe alone (conv2d_u8s8, batch 64, one thread), on every
// kernel target this CPU runs: where the int8 plan's convolution time goes.
//   bench_int8_conv
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include "kernels/conv_int8.h"
#include "cpu_timing.h"
#include "kernels/isa.h"

namespace {

using namespace poda;

// Median CPU seconds of 7 calls after one warm-up.
template <class F>
double median_seconds(F call) {
  call();
  std::vector<double> t;
  for (int i = 0; i < 7; ++i) {
    const double t0 = poda_bench::thread_seconds();
    call();
    t.push_back(poda_bench::thread_seconds() - t0);
  }
  return poda_bench::median(t);
}

}  // namespace

int main() {
  struct Layer {
    const char* name;
    Int8ConvShape shape;
    std::size_t c_out;
  };
  const Layer layers[] = {{"conv1 1->20 k5 28x28", {64, 1, 28, 28, 5, 5, {}}, 20},
                          {"conv2 20->50 k5 12x12", {64, 20, 12, 12, 5, 5, {}}, 50}};
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> byte(0, 255), level(-127, 127);
  for (const Layer& l : layers) {
    const Int8ConvShape& s = l.shape;
    const std::size_t K = s.channels * s.kernel_h * s.kernel_w;
    std::vector<std::uint8_t> x(s.batch * s.channels * s.height * s.width);
    for (auto& v : x) v = static_cast<std::uint8_t>(byte(rng));
    std::vector<std::int8_t> w(l.c_out * K);
    for (auto& v : w) v = static_cast<std::int8_t>(level(rng));
    const PackedInt8Weights packed = pack_int8_weights(w.data(), l.c_out, K);
    std::vector<std::int32_t> out(s.batch * l.c_out * s.out_h() * s.out_w());
    const double macs = static_cast<double>(out.size() * K);
    for (KernelIsa isa : all_kernel_isas) {
      if (!kernel_isa_runnable(isa)) continue;
      set_kernel_isa(isa);
      const double t = median_seconds([&] { conv2d_u8s8(x.data(), s, 3, packed, out.data()); });
      std::printf("%-24s %-12s %9.1f us  %6.2f GMAC/s\n", l.name, int8_kernel_name(), t * 1e6,
                  macs / t * 1e-9);
    }
  }
  return 0;
}
