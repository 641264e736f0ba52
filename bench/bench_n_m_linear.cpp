// 2:4 on linear layers on the CPU (issue 24, item 5): does the sparse CSR path beat the dense
// one when every Dense layer keeps 2 of every 4 weights? One thread, random weights (speed does
// not depend on what the weights learnt), magnitude 2:4 masks on every Dense layer:
//   layers: each linear shape of vit_tiny alone (q/k/v/out 64 -> 64, MLP 64 -> 128 and
//     128 -> 64) on the token rows of one sample (17) and of a batch of 64 (1088);
//   models: vit_tiny and LeNet-300-100 whole, the dense plan against the plan forced sparse.
// Both sides of every ratio are timed in alternation in one run (time_plans), medians.
// Usage: bench_n_m_linear [SECONDS_PER_POINT]
#include <cstdio>
#include <memory>
#include <string>

#include "core/blas_runtime.h"
#include "infer/measure.h"
#include "infer/plan.h"
#include "infer/synthetic.h"
#include "measure/latency.h"
#include "nn/layers/dense.h"
#include "nn/layers/sequential.h"

using namespace poda;

namespace {

LatencyProtocol protocol;

struct Ratio {
  double dense_us, sparse_us;
};

Ratio time_pair(Module& model, const Shape& input, std::size_t batch) {
  auto dense = build_plan(model, input, Dispatch::dense);
  auto sparse = build_plan(model, input, Dispatch::sparse);
  const auto t = time_plans({dense.get(), sparse.get()}, input, batch, protocol);
  return {t[0].median_us, t[1].median_us};
}

void print(const std::string& what, std::size_t rows, const Ratio& r) {
  std::printf("%-34s rows %5zu  dense %9.1f us  csr %9.1f us  csr/dense %5.2f\n", what.c_str(),
              rows, r.dense_us, r.sparse_us, r.sparse_us / r.dense_us);
  std::fflush(stdout);
}

void layer(std::size_t in, std::size_t out, const char* label) {
  Rng rng(1);
  auto model = std::make_shared<Sequential>();
  model->add("fc", std::make_shared<Dense>(in, out, true, Init::kaiming_uniform, rng));
  prune_synthetic(*model, "magnitude", "n_m", 0.5, 1);
  for (std::size_t rows : {17, 17 * 64})
    print(std::string("2:4 Dense ") + label, rows, time_pair(*model, {in}, rows));
}

void model(const char* zoo, const Shape& input, std::size_t tokens) {
  auto m = synthetic_model(zoo, input, 1);
  prune_synthetic(*m, "magnitude", "n_m", 0.5, 1);
  for (std::size_t batch : {1, 64})
    print(std::string("2:4 model ") + zoo + " batch " + std::to_string(batch), batch * tokens,
          time_pair(*m, input, batch));
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  protocol.min_seconds = argc > 1 ? std::stod(argv[1]) : 0.5;
  protocol.max_seconds = 3.0;
  layer(64, 64, "64 -> 64 (q, k, v, out)");
  layer(64, 128, "64 -> 128 (MLP fc1)");
  layer(128, 64, "128 -> 64 (MLP fc2)");
  model("vit_tiny", {1, 28, 28}, 17);
  model("lenet300_100", {1, 28, 28}, 1);
  return 0;
}
