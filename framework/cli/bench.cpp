#include "cli/bench.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/blas_runtime.h"
#include "experiment/runner/model_checkpoint.h"
#include "infer/measure.h"
#include "infer/sparse_kernels.h"
#include "infer/synthetic.h"
#include "prune/sparsity_report.h"

namespace poda {
namespace {

std::shared_ptr<Sequential> bench_model(const BenchOptions& o, const Shape& input) {
  if (o.zoo.empty())
    throw std::invalid_argument("poda bench needs --zoo NAME (the model, or the checkpoint's)");
  auto model = synthetic_model(o.zoo, input, o.seed);
  if (!o.checkpoint.empty())
    load_model_checkpoint(*model, load_checkpoint(o.checkpoint), o.checkpoint);
  else
    prune_synthetic(*model, o.criterion, o.granularity, o.sparsity, o.seed);
  return model;
}

void print_row(const char* label, const InferenceMeasurement& m, const std::string& prefix,
               const std::string& suffix) {
  std::printf("%-10s", label);
  for (const char* path : {"dense", "sparse", "compact"}) {
    const double v = m.value(prefix + path + suffix);
    if (std::isnan(v))
      std::printf("  %12s", "-");
    else
      std::printf("  %12.1f", v);
  }
  std::printf("\n");
}

void print_speedups(const InferenceMeasurement& m, std::size_t batch) {
  const std::string p = "latency_b" + std::to_string(batch) + "_us_";
  const double dense = m.value(p + "dense");
  std::printf("speed-up over dense at batch %zu: sparse %.2fx, compact %.2fx\n", batch,
              dense / m.value(p + "sparse"), dense / m.value(p + "compact"));
}

}  // namespace

int command_bench(const BenchOptions& o) {
  if (o.kernels != "auto")
    set_kernel_isa(parse_kernel_isa(o.kernels));
  const Shape input = parse_shape(o.input);
  auto model = bench_model(o, input);
  InferenceMeasureSettings settings;
  settings.batch_sizes = o.batch_sizes;
  settings.protocol.min_seconds = o.seconds;
  const InferenceMeasurement m = measure_inference(*model, input, settings);

  std::printf("poda bench: %s, input %s, %s; %d BLAS thread(s), %s kernels, core %s\n",
              o.zoo.c_str(), shape_str(input).c_str(),
              o.checkpoint.empty() ? (o.granularity + " " + o.criterion + " " +
                                      std::to_string(o.sparsity * 100).substr(0, 4) + "%")
                                         .c_str()
                                   : o.checkpoint.c_str(),
              m.threads, kernel_isa_name(kernel_isa()), blas_core_name().c_str());
  std::printf("%s", format_sparsity_table(sparsity_report(*model)).c_str());
  std::printf("\nmedian us per batch  %12s  %12s  %12s\n", "dense", "sparse", "compact");
  for (std::size_t b : o.batch_sizes) {
    const std::string label = "batch " + std::to_string(b);
    print_row(label.c_str(), m, "latency_b" + std::to_string(b) + "_us_", "");
  }
  print_row("bytes", m, "bytes_", "");
  for (std::size_t b : o.batch_sizes) print_speedups(m, b);
  if (!m.compact_note.empty()) std::printf("not compacted: %s\n", m.compact_note.c_str());
  std::printf("\nkernel per layer (sparse path):\n");
  for (const std::string& log : m.layer_log) std::printf("%s", log.c_str());
  return 0;
}

}  // namespace poda
