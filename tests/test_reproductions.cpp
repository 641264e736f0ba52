// The quick variants of the paper reproductions (experiments/quick/, results/README.md), each
// run end to end through `poda run` and checked for the shape its study expects: the paper's
// per-layer rates, rounds that only ever remove weights, lottery tickets against their
// re-initialised control, structured models that compact, criteria that must agree. The
// CIFAR-10 ones run on generated files in the binary format (the real set is not here).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_process.h"
#include "data/mnist.h"
#include "experiment/io/plots.h"
#include "data_files.h"
#include "skip.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

struct QuickResult {
  fs::path dir;  // results/<name>_quick
  poda::CsvTable runs;

  std::string text(std::size_t row, const std::string& column) const {
    const auto c = poda::find_column(runs, column);
    REQUIRE_MESSAGE(c.has_value(), "runs.csv has no column " << column);
    return runs.rows[row][*c];
  }
  double number(std::size_t row, const std::string& column) const {
    return std::stod(text(row, column));
  }
  // The rows whose `column` reads `value` (numbers compared as numbers).
  std::vector<std::size_t> where(const std::string& column, double value) const {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < runs.rows.size(); ++r)
      if (std::fabs(number(r, column) - value) < 1e-9) rows.push_back(r);
    return rows;
  }
  poda::CsvTable run_file(std::size_t row, const std::string& name) const {
    return poda_test::read_csv(dir / "runs" / text(row, "run_id") / name);
  }
  // A layer's sparsity in a run's layer_sparsity.csv ("fc1").
  double layer_sparsity(std::size_t row, const std::string& layer) const {
    const poda::CsvTable t = run_file(row, "layer_sparsity.csv");
    const auto names = poda_test::column_values(t, "layer");
    const auto values = poda_test::column_values(t, "sparsity");
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == layer) return std::stod(values[i]);
    FAIL("no layer " << layer << " in layer_sparsity.csv");
    return 0;
  }
};

// A study's quick variant: its file, the runs it must produce, and what must hold.
struct QuickStudy {
  const char* name;  // experiments/quick/<name>.yaml
  std::size_t runs;
  std::function<void(const QuickResult&)> check;
  bool cifar = false;
};

// Cumulative sparsity of a layer pruned at `rate` per round for `rounds` rounds.
double after_rounds(double rate, int rounds) {
  return 1.0 - std::pow(1.0 - rate, rounds);
}

void check_layers(const QuickResult& r, std::size_t row,
                  const std::map<std::string, double>& expected, double tolerance) {
  for (const auto& [layer, sparsity] : expected) {
    const double actual = r.layer_sparsity(row, layer);
    CAPTURE(layer);
    CAPTURE(actual);
    CHECK(std::fabs(actual - sparsity) <= tolerance);
  }
}

// Every run's rounds.csv: `rounds` rows whose sparsity only grows.
void check_rounds(const QuickResult& r, std::size_t rounds) {
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) {
    const auto sparsity = poda_test::column_values(r.run_file(row, "rounds.csv"), "sparsity");
    CAPTURE(r.text(row, "run_id"));
    REQUIRE(sparsity.size() == rounds);
    for (std::size_t i = 1; i < sparsity.size(); ++i)
      CHECK(std::stod(sparsity[i]) > std::stod(sparsity[i - 1]));
  }
}

// Han et al.: the last point lands on the paper's per-layer rates; more target, more zeros.
void check_han(const QuickResult& r, const std::map<std::string, double>& paper, int rounds) {
  const auto last = r.where("target_sparsity", 0.92);
  REQUIRE(last.size() == 1);
  check_layers(r, last[0], paper, 0.002);
  check_rounds(r, rounds);
  double previous = 0;
  for (double target : {0.5, 0.7, 0.8, 0.9, 0.92}) {
    const double s = r.number(r.where("target_sparsity", target).at(0), "sparsity");
    CHECK(s > previous);
    previous = s;
  }
}

// Lottery: each layer at its per-round rate after the last round; rounds only remove weights.
void check_lottery(const QuickResult& r, int rounds, const std::map<std::string, double>& rates) {
  check_rounds(r, rounds);
  std::map<std::string, double> expected;
  for (const auto& [layer, rate] : rates) expected[layer] = after_rounds(rate, rounds);
  // Half a weight of rounding per layer: LeNet-5's conv1 has 150.
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) check_layers(r, row, expected, 0.004);
}

// Mean over seeds of the test accuracy after `round`, tickets or their re-initialised control.
double round_accuracy(const QuickResult& r, bool reinit, std::size_t round) {
  double sum = 0;
  int n = 0;
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) {
    if ((r.text(row, "swept.prune.schedule.random_reinit") == "true") != reinit) continue;
    sum += std::stod(
        poda_test::column_values(r.run_file(row, "rounds.csv"), "test_trained").at(round - 1));
    ++n;
  }
  REQUIRE(n > 0);
  return sum / n;
}

// Layer-wise LAMP ranks a layer exactly as layer-wise magnitude: same masks, same runs.
void check_lamp_is_magnitude(const QuickResult& r) {
  std::map<std::string, std::string> magnitude;  // target -> acc
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row)
    if (r.text(row, "scope") == "layer" && r.text(row, "criterion") == "magnitude")
      magnitude[r.text(row, "target_sparsity")] = r.text(row, "acc");
  REQUIRE(magnitude.size() == 3);
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) {
    if (r.text(row, "scope") != "layer" || r.text(row, "criterion") != "lamp") continue;
    CAPTURE(r.text(row, "run_id"));
    CHECK(r.text(row, "acc") == magnitude.at(r.text(row, "target_sparsity")));
  }
}

// Every schedule ends exactly at its target (each layer at s, rounded per layer).
void check_targets_reached(const QuickResult& r) {
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) {
    CAPTURE(r.text(row, "run_id"));
    CHECK(std::fabs(r.number(row, "sparsity") - r.number(row, "target_sparsity")) < 1e-3);
  }
}

void check_structured_vs_unstructured(const QuickResult& r) {
  for (std::size_t row = 0; row < r.runs.rows.size(); ++row) {
    CAPTURE(r.text(row, "run_id"));
    const bool structured = r.text(row, "granularity") == "neuron";
    // Compaction only removes what structured pruning freed; dense paths are timed.
    if (structured)
      CHECK(r.number(row, "compact_macs") < r.number(row, "macs"));
    else
      CHECK(r.number(row, "compact_macs") == r.number(row, "macs"));
    CHECK(r.number(row, "latency_b64_us_compact") > 0);
  }
  // Matched: neuron pruning at u leaves about the weights unstructured pruning at u does.
  for (double target : {0.5, 0.7, 0.8, 0.9, 0.95}) {
    const auto rows = r.where("target_sparsity", target);
    REQUIRE(rows.size() == 2);
    CHECK(std::fabs(r.number(rows[0], "sparsity") - r.number(rows[1], "sparsity")) < 0.03);
  }
  CHECK(fs::exists(r.dir / "plots" / "accuracy_vs_latency_b64.png") ==
        poda::gnuplot_available());
}

const std::vector<QuickStudy>& studies() {
  static const std::vector<QuickStudy> table = {
      {"han2015_lenet300_100", 5,
       [](const QuickResult& r) {
         check_han(r, {{"fc1", 0.92}, {"fc2", 0.91}, {"fc3", 0.74}}, 2);
       }},
      {"han2015_lenet5_caffe", 5,
       [](const QuickResult& r) {
         check_han(r, {{"conv1", 0.34}, {"conv2", 0.88}, {"fc1", 0.92}, {"fc2", 0.81}}, 2);
       }},
      {"lottery_lenet300_100", 4,
       [](const QuickResult& r) {
         check_lottery(r, 12, {{"fc1", 0.2}, {"fc2", 0.2}, {"fc3", 0.1}});
         // Round 10: 10.7% of the hidden layers' weights left. Tickets beat re-initialisation.
         CHECK(round_accuracy(r, false, 10) > round_accuracy(r, true, 10));
       }},
      {"lottery_lenet5", 4,
       [](const QuickResult& r) {
         check_lottery(r, 12, {{"conv1", 0.1}, {"conv2", 0.1}, {"fc1", 0.2}, {"fc3", 0.1}});
         CHECK(round_accuracy(r, false, 10) > round_accuracy(r, true, 10));
       }},
      {"lottery_conv2", 2,
       [](const QuickResult& r) {
         check_lottery(r, 3, {{"conv2", 0.1}, {"fc1", 0.2}, {"fc3", 0.1}});
       },
       true},
      {"lottery_conv4", 2,
       [](const QuickResult& r) {
         check_lottery(r, 3, {{"conv4", 0.1}, {"fc2", 0.2}, {"fc3", 0.1}});
       },
       true},
      {"lottery_conv6", 2,
       [](const QuickResult& r) {
         check_lottery(r, 3, {{"conv6", 0.15}, {"fc1", 0.2}, {"fc3", 0.1}});
       },
       true},
      {"zhu_gupta2017_lenet300_100", 15,
       check_targets_reached},
      {"structured_vs_unstructured_lenet300_100", 10,
       check_structured_vs_unstructured},
      {"structured_vs_unstructured_lenet5", 15,
       [](const QuickResult& r) {
         for (std::size_t row = 0; row < r.runs.rows.size(); ++row)
           if (r.text(row, "granularity") == "neuron")
             CHECK(r.number(row, "compact_macs") < r.number(row, "macs"));
       }},
      {"criteria_lenet300_100", 36, [](const QuickResult& r) { check_lamp_is_magnitude(r); }},
      {"criteria_lenet5", 36, [](const QuickResult& r) { check_lamp_is_magnitude(r); }},
      {"crosscheck_lenet300_100", 10,
       [](const QuickResult& r) {
         for (std::size_t row = 0; row < r.runs.rows.size(); ++row)
           CHECK(std::fabs(r.number(row, "sparsity") - r.number(row, "target_sparsity")) < 1e-4);
       }},
  };
  return table;
}

}  // namespace

namespace {

const QuickStudy& study(const std::string& name) {
  for (const QuickStudy& s : studies())
    if (name == s.name) return s;
  FAIL("no quick study " << name);
  throw std::logic_error("unreachable");
}

// Six CIFAR-10 binary files at their real size (10,000 records each) with arbitrary pixels.
void write_cifar(const fs::path& dir) {
  fs::create_directories(dir);
  for (int f = 0; f < 6; ++f) {
    poda::testing::Bytes labels(10000);
    for (std::size_t i = 0; i < labels.size(); ++i)
      labels[i] = static_cast<std::uint8_t>((i * 7 + f) % 10);
    const std::string name =
        f < 5 ? "data_batch_" + std::to_string(f + 1) + ".bin" : "test_batch.bin";
    poda::testing::write_file((dir / name).string(), poda::testing::cifar_records(labels));
  }
}

// Runs the quick variant of `name` under `tmp` and checks what every study shares, then
// the study's own shape.
void run_quick(const std::string& name, const fs::path& tmp, const fs::path& cifar = {}) {
  const QuickStudy& s = study(name);
  CAPTURE(name);
  fs::path config = fs::path(poda_test::source_dir()) / "experiments" / "quick" / (name + ".yaml");
  if (s.cifar) {  // the same file, pointed at the generated images
    std::string text = poda_test::read_text(config);
    const std::string key = "{name: cifar10, ";
    REQUIRE(text.find(key) != std::string::npos);
    text.replace(text.find(key), key.size(), key + "path: " + cifar.string() + ", ");
    config = tmp / (name + ".yaml");
    poda_test::write_text(config, text);
  }
  const fs::path results = tmp / "results";
  const poda_test::Finished run =
      poda_test::run_poda({"run", config.string(), "--results", results.string()}, tmp, name,
                          std::chrono::seconds(900));
  INFO("stderr:\n" << run.err);
  REQUIRE(run.code == 0);
  QuickResult r{results / (name + "_quick"), {}};
  r.runs = poda_test::read_csv(r.dir / "runs.csv");
  REQUIRE(r.runs.rows.size() == s.runs);
  for (const std::string& status : poda_test::column_values(r.runs, "status"))
    CHECK(status == "ok");
  const std::string report = poda_test::read_text(r.dir / "report.md");
  CHECK(report.find(" | n | failed | acc |") != std::string::npos);
  s.check(r);
}

void run_on_fashion_mnist(const std::vector<std::string>& names) {
  if (!fs::exists(fs::path(poda::default_fashion_mnist_dir()) / "train-images-idx3-ubyte.gz"))
    PODA_SKIP_TEST("Fashion-MNIST is not installed (dataset-fashion-mnist)");
  poda_test::TempDir tmp("poda_quick_repro");
  for (const std::string& name : names) run_quick(name, tmp.path);
}

}  // namespace

TEST_CASE(
    "reproductions: every study in experiments/quick/ is in the table, with its full config") {
  std::size_t files = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(poda_test::source_dir()) / "experiments" / "quick")) {
    const std::string name = entry.path().stem().string();
    CAPTURE(name);
    CHECK(fs::exists(fs::path(poda_test::source_dir()) / "experiments" / (name + ".yaml")));
    CHECK(std::count_if(studies().begin(), studies().end(),
                        [&](const QuickStudy& s) { return name == s.name; }) == 1);
    ++files;
  }
  CHECK(files == studies().size());
}

TEST_CASE("reproductions: Han et al. 2015, quick, lands on the paper's layer rates") {
  run_on_fashion_mnist({"han2015_lenet300_100", "han2015_lenet5_caffe"});
}

TEST_CASE("reproductions: lottery tickets, quick, beat their re-initialisation at 10.7% weights") {
  run_on_fashion_mnist({"lottery_lenet300_100", "lottery_lenet5"});
}

TEST_CASE("reproductions: lottery Conv-2/4/6, quick, on generated CIFAR-10 files") {
  poda_test::TempDir tmp("poda_quick_repro_cifar");
  write_cifar(tmp.path / "cifar-10-batches-bin");
  for (const char* name : {"lottery_conv2", "lottery_conv4", "lottery_conv6"})
    run_quick(name, tmp.path, tmp.path / "cifar-10-batches-bin");
}

TEST_CASE("reproductions: Zhu & Gupta 2017, quick, every schedule ends at its target") {
  run_on_fashion_mnist({"zhu_gupta2017_lenet300_100"});
}

TEST_CASE("reproductions: structured vs unstructured, quick, compacts and matches weights") {
  run_on_fashion_mnist(
      {"structured_vs_unstructured_lenet300_100", "structured_vs_unstructured_lenet5"});
}

TEST_CASE("reproductions: criteria, quick, layer-wise LAMP equals layer-wise magnitude") {
  run_on_fashion_mnist({"criteria_lenet300_100", "criteria_lenet5"});
}

TEST_CASE("reproductions: the PyTorch cross-check's poda side, quick") {
  run_on_fashion_mnist({"crosscheck_lenet300_100"});
}
