#include "experiment/runner/trainer_hooks.h"

#include <memory>

#include "core/ops.h"
#include "core/random.h"
#include "data/batch_loader.h"

namespace poda {

ScheduleHooks trainer_hooks(const DataSplits& data, const Normalization& norm,
                            const TrainSettings& base, std::uint64_t seed,
                            std::function<void(const EpochMetrics&)> on_epoch, Progress* progress) {
  ScheduleHooks hooks;
  auto calls = std::make_shared<std::uint64_t>(0);
  hooks.train = [&data, &norm, base, seed, on_epoch, progress, calls](Module& model,
                                                                      const TrainRequest& r) {
    TrainSettings s = base;
    s.epochs = r.epochs;
    s.lr = static_cast<float>(base.lr * r.lr_scale);
    s.schedule.total_epochs = r.epochs;  // a cosine schedule spans this phase
    TrainHooks th;
    if (r.on_step)
      th.on_step_end = [f = r.on_step](std::size_t step) { f(static_cast<long>(step)); };
    if (r.selectable) th.selectable = [f = r.selectable](int) { return f(); };
    th.on_epoch_end = on_epoch;
    th.sparsity = [&model] { return sparsity_report(model).sparsity(); };
    fit(model, data, norm, s, derive_seed(seed, ++*calls), r.phase, th, progress);
  };
  hooks.evaluate = [&data, &norm, batch = base.eval_batch_size](Module& model) {
    Accuracy a;
    a.val = evaluate(model, data.val, norm, batch).accuracy;
    a.test = evaluate(model, data.test, norm, batch).accuracy;
    return a;
  };
  // Batch b is the b-th batch of one fixed shuffled order of the training split (stream 0;
  // training requests take streams 1, 2, ...).
  auto loader =
      std::make_shared<BatchLoader>(data.train, base.batch_size, true, derive_seed(seed, 0), norm);
  hooks.steps_per_epoch = static_cast<long>(loader->batches_per_epoch());  // as fit()'s loader
  auto next = std::make_shared<int>(0);
  auto batch = std::make_shared<Batch>();
  auto load = [loader, next, batch](int b) -> const Batch& {
    if (b < *next) {
      loader->start_epoch(0);
      *next = 0;
    }
    for (; *next <= b; ++*next)
      if (!loader->next(*batch)) {  // fewer batches than asked: wrap around
        loader->start_epoch(0);
        loader->next(*batch);
      }
    return *batch;
  };
  hooks.compute_gradients = [load](Module& model, int b) {
    const Batch& batch = load(b);
    model.train();
    cross_entropy(model.forward(Variable(batch.images)), batch.labels).backward();
  };
  // Activation-based criteria see the same calibration batches, forward only.
  hooks.run_forward = [load](Module& model, int b) { model.forward(Variable(load(b).images)); };
  return hooks;
}

}  // namespace poda
