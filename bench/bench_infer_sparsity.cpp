// Realised speed-ups of pruning on the CPU (issue 10), one thread, random weights (speed does
// not depend on what the weights learnt):
//   unstructured: magnitude masks at 0-99% sparsity, the sparse plan (each layer on the
//     kernel that measured faster) against the dense folded plan of the same model;
//   structured: 25/50/75% of the filters and neurons removed, the compacted model against
//     the dense one, next to the reduction in multiply-accumulates.
// The two sides of every ratio are timed in alternation in one run (measure_alternating),
// medians (calls of 1 ms or more in thread CPU time, see measure/latency.cpp). Writes the
// plot to $1 (default docs/img/speedup_vs_sparsity.{svg,png}) and checks the acceptance
// targets of issue 10 at the end.
// Usage: bench_infer_sparsity [PLOT_BASE [SECONDS_PER_POINT]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/blas_runtime.h"
#include "experiment/io/plots.h"
#include "infer/plan.h"
#include "kernels/sparse_kernels.h"
#include "infer/synthetic.h"
#include "measure/compact.h"
#include "infer/measure.h"
#include "measure/latency.h"

using namespace poda;

namespace {

struct BenchModel {
  const char* zoo;
  const char* label;
  Shape input;
};

const BenchModel models[] = {{"lenet300_100", "LeNet-300-100", {1, 28, 28}},
                             {"lenet5", "LeNet-5", {1, 28, 28}},
                             {"lenet5_caffe", "LeNet-5 Caffe", {1, 28, 28}},
                             {"conv4", "Conv-4", {3, 32, 32}}};
const std::size_t batches[2] = {1, 64};
LatencyProtocol protocol;

struct Point {
  double x;           // sparsity, or fraction of units removed
  double speedup[2];  // dense / other, batch 1 and 64
  double dense_us[2], other_us[2];
  double mac_reduction = 1.0;
};

std::vector<Point> unstructured_sweep(const BenchModel& m) {
  std::vector<Point> points;
  // Conv-4's calls take 10-100 ms: fewer points keep the whole sweep within minutes.
  const bool big = std::string(m.zoo) == "conv4";
  const std::vector<double> all{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99};
  for (double s : big ? std::vector<double>{0.0, 0.5, 0.8, 0.9, 0.95, 0.99} : all) {
    auto model = synthetic_model(m.zoo, m.input, 1);
    prune_synthetic(*model, "magnitude", "unstructured", s, 1);
    auto dense = build_plan(*model, m.input, Dispatch::dense);
    auto sparse = build_plan(*model, m.input, Dispatch::measured);
    Point p{s, {}, {}, {}};
    for (int b = 0; b < 2; ++b) {
      const auto t = time_plans({dense.get(), sparse.get()}, m.input, batches[b], protocol);
      const double d = t[0].median_us, o = t[1].median_us;
      p.speedup[b] = d / o;
      p.dense_us[b] = d;
      p.other_us[b] = o;
    }
    std::printf(
        "%-14s unstructured %4.0f%%  b1 %8.1f -> %8.1f us (%5.2fx)  b64 %9.1f -> %9.1f us "
        "(%5.2fx)\n",
        m.label, s * 100, p.dense_us[0], p.other_us[0], p.speedup[0], p.dense_us[1], p.other_us[1],
        p.speedup[1]);
    std::fflush(stdout);
    points.push_back(p);
  }
  return points;
}

std::vector<Point> structured_sweep(const BenchModel& m) {
  std::vector<Point> points;
  for (double s : {0.25, 0.5, 0.75}) {
    auto model = synthetic_model(m.zoo, m.input, 1);
    prune_synthetic(*model, "magnitude", "neuron", s, 1);  // filters and neurons alike
    const CompactResult compact = compact_model(*model, m.input);
    if (!compact.model) throw std::runtime_error(m.label + std::string(": ") + compact.reason);
    auto dense = build_plan(*model, m.input, Dispatch::dense);
    auto small = build_plan(*compact.model, m.input, Dispatch::dense);
    Point p{s, {}, {}, {}};
    p.mac_reduction = double(dense->macs()) / double(small->macs());
    for (int b = 0; b < 2; ++b) {
      const auto t = time_plans({dense.get(), small.get()}, m.input, batches[b], protocol);
      const double d = t[0].median_us, o = t[1].median_us;
      p.speedup[b] = d / o;
      p.dense_us[b] = d;
      p.other_us[b] = o;
    }
    std::printf(
        "%-14s structured %3.0f%% units  MACs /%5.2f  b1 %8.1f -> %8.1f us (%5.2fx)  b64 %9.1f -> "
        "%9.1f us (%5.2fx)\n",
        m.label, s * 100, p.mac_reduction, p.dense_us[0], p.other_us[0], p.speedup[0],
        p.dense_us[1], p.other_us[1], p.speedup[1]);
    std::fflush(stdout);
    points.push_back(p);
  }
  return points;
}

Series series(const std::string& label, const std::vector<Point>& points, int b) {
  Series s;
  s.label = label;
  for (const Point& p : points) {
    s.x.push_back(p.x * 100);
    s.y.push_back(p.speedup[b]);
  }
  return s;
}

int failures = 0;
void expect(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "MISSED", what.c_str());
  failures += !ok;
}

const Point& at(const std::vector<Point>& points, double x) {
  for (const Point& p : points)
    if (std::abs(p.x - x) < 1e-9) return p;
  throw std::logic_error("no point");
}

std::string fmt(const char* f, double a, double b = 0) {
  char buf[200];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

void check_targets(const std::vector<std::vector<Point>>& un,
                   const std::vector<std::vector<Point>>& st) {
  std::printf("\nacceptance (issue 10):\n");
  const auto& mlp = un[0];
  expect(at(mlp, 0.9).speedup[1] >= 4,
         fmt("LeNet-300-100 90%% b64 >= 4x: %.2fx", at(mlp, 0.9).speedup[1]));
  expect(at(mlp, 0.95).speedup[1] >= 7,
         fmt("LeNet-300-100 95%% b64 >= 7x: %.2fx", at(mlp, 0.95).speedup[1]));
  expect(at(mlp, 0.9).speedup[0] >= 3,
         fmt("LeNet-300-100 90%% b1 >= 3x: %.2fx", at(mlp, 0.9).speedup[0]));
  expect(at(mlp, 0.95).speedup[0] >= 5,
         fmt("LeNet-300-100 95%% b1 >= 5x: %.2fx", at(mlp, 0.95).speedup[0]));
  double worst = 1e9;
  for (const Point& p : mlp) worst = std::min({worst, p.speedup[0], p.speedup[1]});
  expect(worst >= 0.95, fmt("LeNet-300-100 never below 0.95x at 0-99%%: worst %.2fx", worst));
  for (int m : {1, 2})
    for (int b : {0, 1})
      expect(at(un[m], 0.9).speedup[b] >= 2,
             std::string(models[m].label) +
                 fmt(" 90%% b%.0f >= 2x: %.2fx", double(batches[b]), at(un[m], 0.9).speedup[b]));
  for (int m : {1, 2, 3})
    for (const Point& p : st[m])
      for (int b : {0, 1})
        expect(p.speedup[b] >= 0.7 * p.mac_reduction,
               std::string(models[m].label) +
                   fmt(" %.0f%% units removed, b%.0f: ", p.x * 100, double(batches[b])) +
                   fmt("%.2fx >= 0.7 x %.2f", p.speedup[b], p.mac_reduction));
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_core(argc, argv);
  const std::string plot_base = argc > 1 ? argv[1] : "docs/img/speedup_vs_sparsity";
  protocol.min_seconds = argc > 2 ? std::stod(argv[2]) : 0.5;
  protocol.max_seconds = 3.0;
  std::printf("bench_infer_sparsity: %d BLAS thread, %s kernels, BLAS core %s\n", blas_threads(),
              kernel_isa_name(kernel_isa()), blas_core_name().c_str());
  std::vector<std::vector<Point>> un, st;
  LinePlot plot;
  plot.title = "Inference speed-up over the dense folded model (one thread)";
  plot.x_label = "sparsity (unstructured) or units removed (structured), %";
  plot.y_label = "speed-up over dense";
  for (const BenchModel& m : models) {
    un.push_back(unstructured_sweep(m));
    st.push_back(structured_sweep(m));
    for (int b : {0, 1})
      plot.series.push_back(
          series(std::string(m.label) + " sparse b" + std::to_string(batches[b]), un.back(), b));
    plot.series.push_back(series(std::string(m.label) + " compacted b64", st.back(), 1));
  }
  check_targets(un, st);
  if (gnuplot_available()) {
    write_line_plot(plot, plot_base);
    std::printf("plot: %s.svg, %s.png\n", plot_base.c_str(), plot_base.c_str());
  }
  std::printf("%d target(s) missed\n", failures);
  return 0;
}
