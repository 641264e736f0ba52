#include "cli/bench.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "budget/quantity.h"
#include "cli/commands.h"
#include "core/blas_runtime.h"
#include "core/user_error.h"
#include "experiment/config/input_limits.h"
#include "experiment/config/model_file.h"
#include "experiment/runner/model_checkpoint.h"
#include "nn/model_builder.h"
#include "infer/deployed.h"
#include "infer/measure.h"
#include "kernels/sparse_kernels.h"
#include "infer/synthetic.h"
#include "nn/parameter_budget.h"
#include "prune/sparsity_report.h"

namespace poda {
namespace {

// A self-describing checkpoint (poda import, a run's final.ckpt) without --zoo: its own layers
// and input shape.
std::shared_ptr<Sequential> described_model(const BenchOptions& o, Shape& input) {
  const Checkpoint checkpoint = load_checkpoint(o.checkpoint);
  const ModelDescription d = model_description(checkpoint, o.checkpoint);
  input = d.input;
  Rng rng(o.seed);
  auto model = build_model(d.layers, input, Init::kaiming_uniform, rng);
  load_model_checkpoint(*model, checkpoint, o.checkpoint);
  return model;
}

// The model for the checked options; a shape the zoo model cannot take, a model over the
// parameter limit or a criterion that cannot prune at this granularity is the user's input.
std::shared_ptr<Sequential> bench_model(const BenchOptions& o, Shape& input) {
  try {
    const ParameterBudget budget(kMaxModelParameters);
    if (o.zoo.empty()) return described_model(o, input);
    auto model = synthetic_model(o.zoo, input, o.seed);
    if (!o.checkpoint.empty())
      load_model_checkpoint(*model, load_checkpoint(o.checkpoint), o.checkpoint);
    else
      prune_synthetic(*model, o.criterion, o.granularity, o.sparsity, o.seed);
    return model;
  } catch (const std::invalid_argument& e) {
    throw UserError("poda bench" + (o.zoo.empty() ? std::string() : " --zoo " + o.zoo) +
                    " --input " + o.input + ": " + e.what());
  }
}

void select_kernels(const std::string& kernels) {
  if (kernels == "auto") return;
  try {
    set_kernel_isa(parse_kernel_isa(kernels));
  } catch (const std::invalid_argument& e) {
    throw UserError("poda bench --kernels " + kernels + ": " + e.what());
  }
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
  const double compact = m.value(p + "compact");
  // A model that cannot be compacted has no compacted path to time.
  const std::string compact_text =
      std::isnan(compact) ? "not compactable" : fmt::format("{:.2f}x", dense / compact);
  std::printf("speed-up over dense at batch %zu: sparse %.2fx, compact %s\n", batch,
              dense / m.value(p + "sparse"), compact_text.c_str());
}

// The deployed path (infer/deployed.h): what a budget run's budget_achieved measures, by the
// same functions, so a run's row can be checked here in a process of its own.
void print_deployed(Sequential& model, const Shape& input, const BenchOptions& o,
                    const LatencyProtocol& protocol) {
  std::printf("\ndeployed path (compacted where it can be, fastest kernel per layer), timed in "
              "alternation with dense alone, the fastest of %d readings as a budget run's "
              "check reads it (budget/quantity.h):\n",
              kFinalReadings);
  std::string layers, note;
  for (std::size_t b : o.batch_sizes) {
    std::vector<double> each;
    const DeployedTiming t = fastest_deployed(model, input, b, protocol, kFinalReadings, &each);
    note = t.note;
    std::string readings;
    for (double us : each) readings += fmt::format(" {:.2f}", us);
    std::printf("deployed batch %zu: %.2f us, dense %.2f us, speed-up %.3fx (deployed us per "
                "reading:%s)\n",
                b, t.deployed.median_us, t.dense.median_us, t.speedup(), readings.c_str());
    layers += "batch " + std::to_string(b) + ":\n" + t.layers;
  }
  std::printf("deployed bytes %.0f, MACs per sample %.0f\n", stored_bytes(model, input),
              executed_macs(model, input));
  if (!note.empty()) std::printf("deployed path not compacted: %s\n", note.c_str());
  std::printf("kernel per layer (deployed path):\n%s", layers.c_str());
}

}  // namespace

int command_bench(const BenchOptions& o) {
  Shape input = check_bench_options(o);
  select_kernels(o.kernels);
  auto model = bench_model(o, input);
  InferenceMeasureSettings settings;
  settings.batch_sizes = o.batch_sizes;
  settings.protocol.min_seconds = o.seconds;
  const InferenceMeasurement m = measure_inference(*model, input, settings);

  std::printf("poda bench: %s, input %s, %s; %d BLAS thread(s), %s kernels, core %s\n",
              o.zoo.empty() ? "the checkpoint's model" : o.zoo.c_str(), shape_str(input).c_str(),
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
  print_deployed(*model, input, o, settings.protocol);
  return 0;
}

}  // namespace poda
