// poda as a library, starting from a model you already have: a self-describing checkpoint
// (`poda import` of an ONNX file, or a run's final.ckpt) is loaded with its layer list, input
// shape and normalisation, pruned, its BatchNorm statistics re-estimated, fine-tuned, and
// saved as a self-describing checkpoint again (`poda export OUT.ckpt OUT.onnx` reads it alone).
//   poda_prune_checkpoint IN.ckpt OUT.ckpt
#include <cstdio>

#include "core/blas_runtime.h"
#include "data/batch_loader.h"
#include "experiment/config/model_file.h"
#include "experiment/runner/data_source.h"
#include "experiment/runner/model_checkpoint.h"
#include "nn/model_builder.h"
#include "prune/bn_recalibration.h"
#include "prune/pruner.h"
#include "prune/sparsity_report.h"
#include "train/trainer.h"

int main(int argc, char** argv) {
  poda::ensure_blas_core(argc, argv);  // before anything else: may re-execute this process
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s IN.ckpt OUT.ckpt\n", argv[0]);
    return 2;
  }
  // The model, from the checkpoint alone.
  const poda::Checkpoint in = poda::load_checkpoint(argv[1]);
  const poda::ModelDescription model_of = poda::model_description(in, argv[1]);
  poda::Rng rng(1);
  auto model =
      poda::build_model(model_of.layers, model_of.input, poda::Init::kaiming_uniform, rng);
  poda::load_model_checkpoint(*model, in, argv[1]);

  // Fashion-MNIST (a slice: this is a demo), normalised the way the model was trained.
  poda::DatasetConfig dataset;
  dataset.split.train_limit = 2000;
  dataset.split.val_count = 500;
  dataset.split.test_limit = 1000;
  const poda::LoadedData data = poda::load_data(dataset, 1);
  const poda::Normalization& norm = model_of.norm;
  auto accuracy = [&] { return poda::evaluate(*model, data.splits.test, norm, 500).accuracy; };
  const double dense = accuracy();

  poda::PruneSettings prune;
  prune.criterion = "magnitude";
  prune.sparsity = 0.7;
  poda::CriterionContext context;
  poda::prune(*model, prune, prune.sparsity, context);
  // Re-estimate BatchNorm statistics on 20 training batches (nothing to do without BatchNorm).
  poda::BatchLoader loader(data.splits.train, 64, true, 1, norm);
  poda::Batch batch;
  loader.start_epoch(0);
  const bool recalibrated = poda::recalibrate_statistics(*model, 20, [&](poda::Module& m, int) {
    if (!loader.next(batch)) {
      loader.start_epoch(1);
      loader.next(batch);
    }
    m.forward(poda::Variable(batch.images));
  });
  const double pruned = accuracy();

  poda::TrainSettings train;
  train.epochs = 1;
  train.batch_size = 32;
  train.lr = 0.01f;
  poda::fit(*model, data.splits, norm, train, 2, "finetune");
  const double finetuned = accuracy();

  poda::Checkpoint out = poda::model_to_checkpoint(*model);
  poda::describe_model(out, model_of);
  poda::save_checkpoint(argv[2], out);
  std::printf("%s", poda::format_sparsity_table(poda::sparsity_report(*model)).c_str());
  std::printf("test accuracy: given %.4f, pruned 70%% %.4f%s, fine-tuned %.4f; saved %s\n", dense,
              pruned, recalibrated ? " (BatchNorm re-estimated)" : "", finetuned, argv[2]);
  return 0;
}
