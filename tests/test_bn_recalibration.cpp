// BatchNorm recalibration (prune/bn_recalibration.h): the running statistics become the plain
// mean of the batches' statistics with the mode and momentum restored; in a run, structured
// pruning of a residual BatchNorm net keeps its accuracy before any fine-tuning.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "cli_process.h"
#include "core/random.h"
#include "nn/layers/batch_norm.h"
#include "nn/model_builder.h"
#include "prune/bn_recalibration.h"
#include "temp_dir.h"
#include "gradcheck.h"

using namespace poda;

TEST_CASE("bn recalibration: the running statistics are the mean of the batches' statistics") {
  std::vector<LayerSpec> layers(2);
  layers[0].type = "conv2d";
  layers[0].numbers = {{"out", 3.0}, {"kernel", 1.0}};
  layers[1].type = "batchnorm";
  Rng rng(2);
  auto model = build_model(layers, {2, 3, 3}, Init::kaiming_uniform, rng);
  model->eval();
  auto* bn = dynamic_cast<BatchNorm*>(model->named_modules().back().second);
  REQUIRE(bn != nullptr);
  CHECK(has_running_statistics(*model));
  std::vector<Array> batches;
  for (int b = 0; b < 3; ++b) batches.push_back(poda::testing::random_array({4, 2, 3, 3}, 10 + b));
  const ForwardFn forward = [&](Module& m, int b) { m.forward(Variable(batches.at(b))); };
  REQUIRE(recalibrate_statistics(*model, 3, forward));
  CHECK(!model->is_training());
  CHECK(bn->momentum() == doctest::Approx(0.1f));
  // The expectation from the convolution's outputs, per channel: mean and unbiased variance of
  // each batch, averaged over the batches.
  auto& conv = *model->named_modules().front().second;
  NoGradGuard no_graph;
  std::vector<double> mean(3, 0.0), var(3, 0.0);
  for (const Array& x : batches) {
    const Array y = conv.forward(Variable(x)).data();  // (4, 3, 3, 3)
    for (std::size_t c = 0; c < 3; ++c) {
      double s = 0, ss = 0;
      for (std::size_t n = 0; n < 4; ++n)
        for (std::size_t i = 0; i < 9; ++i) s += y(n, c, i / 3, i % 3);
      const double m = s / 36;
      for (std::size_t n = 0; n < 4; ++n)
        for (std::size_t i = 0; i < 9; ++i) {
          const double d = y(n, c, i / 3, i % 3) - m;
          ss += d * d;
        }
      mean[c] += m / 3;
      var[c] += ss / 35 / 3;
    }
  }
  for (std::size_t c = 0; c < 3; ++c) {
    CAPTURE(c);
    CHECK(bn->running_mean()(c) == doctest::Approx(mean[c]).epsilon(1e-5));
    CHECK(bn->running_var()(c) == doctest::Approx(var[c]).epsilon(1e-5));
  }
  CHECK_FALSE(recalibrate_statistics(*model, 0, forward));
  layers[0].type = "flatten";
  layers[0].numbers.clear();
  layers[1].type = "dense";
  layers[1].numbers = {{"out", 2.0}};
  auto plain = build_model(layers, {2, 3, 3}, Init::kaiming_uniform, rng);
  CHECK_FALSE(has_running_statistics(*plain));
}

namespace {

// A small residual net with BatchNorm, 10% of its filters removed (l1_norm, layer scope),
// without fine-tuning: once with the statistics re-estimated (the default), once without.
const char* kResidualRun = R"(name: recal
seed: 2
dataset: {name: fashion-mnist, val_count: 500, train_limit: 3000, test_limit: 1000}
model:
  layers:
    - {type: conv2d, name: conv1, out: 8, kernel: 3, padding: 1}
    - {type: batchnorm, name: bn1}
    - {type: relu}
    - {type: maxpool2d, kernel: 2}
    - type: residual
      name: block1
      layers:
        - {type: conv2d, name: conv1, out: 8, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn1}
        - {type: relu}
        - {type: conv2d, name: conv2, out: 8, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn2}
    - {type: relu}
    - type: residual
      name: block2
      layers:
        - {type: conv2d, name: conv1, out: 16, kernel: 3, padding: 1, stride: 2}
        - {type: batchnorm, name: bn1}
        - {type: relu}
        - {type: conv2d, name: conv2, out: 16, kernel: 3, padding: 1}
        - {type: batchnorm, name: bn2}
      shortcut:
        - {type: conv2d, name: conv, out: 16, kernel: 1, stride: 2, bias: false}
        - {type: batchnorm, name: bn}
    - {type: relu}
    - {type: global_avgpool}
    - {type: dense, name: fc, out: 10}
train: {epochs: 2, batch_size: 64, lr: 0.05, momentum: 0.9}
prune:
  criterion: l1_norm
  granularity: filter
  scope: layer
  sparsity: 0.1
  finetune_epochs: 0
  bn_recalibration: {batches: 50}
sweep:
  prune.bn_recalibration.batches: [50, 0]
)";

}  // namespace

TEST_CASE("cli: recalibrated BatchNorm keeps a structurally pruned net near its dense accuracy") {
  poda_test::TempDir tmp("poda_bn_recal");
  poda_test::write_text(tmp.path / "recal.yaml", kResidualRun);
  const auto run = poda_test::run_poda(
      {"run", tmp.file("recal.yaml"), "--results", tmp.file("r")}, tmp.path, "run",
      std::chrono::seconds(300));
  REQUIRE_MESSAGE(run.code == 0, run.err);
  const CsvTable runs = poda_test::read_csv(tmp.path / "r" / "recal" / "runs.csv");
  REQUIRE(runs.rows.size() == 2);
  const auto batches = poda_test::column_values(runs, "bn_recalibration");
  const auto dense = poda_test::column_values(runs, "acc_dense");
  const auto pruned = poda_test::column_values(runs, "acc_pruned");
  CHECK(batches[0] == "50");
  CHECK(batches[1] == "0");
  MESSAGE("acc_dense " << dense[0] << ", acc_pruned recalibrated " << pruned[0]
                       << ", with the stored statistics " << pruned[1]);
  CHECK(std::stod(pruned[0]) > std::stod(dense[0]) - 0.10);
  // With nothing fine-tuned, the final model is the pruned one.
  CHECK(poda_test::column_values(runs, "acc")[0] == pruned[0]);
}
