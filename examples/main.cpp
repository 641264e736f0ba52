// poda as a library: a model of this project's own (tiny_leaky_mlp, with its own LeakyReLU
// layer) trained on Fashion-MNIST, pruned with this project's own criterion (row_magnitude)
// and fine-tuned, all through poda's API; then a YAML sweep over the same criterion, run by
// the same code as `poda run`.
//   poda_example RESULTS_DIR SWEEP_YAML
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "core/blas_runtime.h"
#include "experiment/runner/data_source.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"
#include "prune/sparsity_report.h"
#include "train/trainer.h"

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);  // before anything else: may re-execute this process
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s RESULTS_DIR SWEEP_YAML\n", argv[0]);
    return 2;
  }
  poda::DatasetConfig dataset;  // Fashion-MNIST, a small slice of it: this is a demo
  dataset.split.train_limit = 2000;
  dataset.split.val_count = 500;
  dataset.split.test_limit = 1000;
  const poda::LoadedData data = poda::load_data(dataset, 1);

  poda::Rng rng(1);
  auto model = poda::build_model(poda::find_zoo_model("tiny_leaky_mlp")->layers, data.input_shape,
                                 poda::Init::kaiming_uniform, rng);
  poda::TrainSettings train;
  train.epochs = 2;
  train.batch_size = 32;
  poda::fit(*model, data.splits, data.norm, train, 1, "train");
  auto accuracy = [&] { return poda::evaluate(*model, data.splits.test, data.norm, 500).accuracy; };
  const double dense = accuracy();

  poda::PruneSettings prune;
  prune.criterion = "row_magnitude";
  prune.sparsity = 0.8;
  poda::CriterionContext context;
  poda::prune(*model, prune, prune.sparsity, context);
  const double pruned = accuracy();
  train.epochs = 1;
  poda::fit(*model, data.splits, data.norm, train, 2, "finetune");
  const double finetuned = accuracy();
  std::printf("%s", poda::format_sparsity_table(poda::sparsity_report(*model)).c_str());
  std::printf("test accuracy: dense %.4f, pruned 80%% %.4f, fine-tuned %.4f\n", dense, pruned,
              finetuned);

  std::fflush(stdout);  // before the sweep prints through its own streams
  poda::RunOptions sweep;
  sweep.config = argv[2];
  sweep.results_root = argv[1];
  return poda::command_run(sweep);
}
