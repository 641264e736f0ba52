#include "train/trainer.h"

#include <chrono>
#include <cmath>

#include "core/elapsed.h"
#include "core/ops.h"
#include "data/batch_loader.h"

namespace poda {

namespace {

// Number of rows of logits (B, C) whose argmax is the label.
std::size_t count_correct(const Array& logits, const std::vector<int>& labels) {
  const std::size_t B = logits.shape()[0], C = logits.shape()[1];
  const float* p = logits.data();
  std::size_t correct = 0;
  for (std::size_t b = 0; b < B; ++b) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < C; ++c)
      if (p[b * C + c] > p[b * C + best]) best = c;
    correct += static_cast<int>(best) == labels[b];
  }
  return correct;
}

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const TrainSettings& s, std::vector<Parameter*> params) {
  if (s.optimizer == OptimizerKind::adam)
    return std::make_unique<Adam>(std::move(params), s.lr, s.adam);
  return std::make_unique<Sgd>(std::move(params), s.lr, s.sgd);
}

EvalResult evaluate(Module& model, const ImageSet& set, const Normalization& norm,
                    std::size_t batch_size) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  BatchLoader loader(set, batch_size, false, 0, norm);
  Batch batch;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  while (loader.next(batch)) {
    Variable logits = model.forward(Variable(batch.images));
    loss_sum += cross_entropy(logits, batch.labels).data()(0) * batch.labels.size();
    correct += count_correct(logits.data(), batch.labels);
  }
  model.train(was_training);
  EvalResult r;
  r.count = set.count;
  if (set.count) {
    r.loss = loss_sum / set.count;
    r.accuracy = static_cast<double>(correct) / set.count;
  }
  return r;
}

namespace {

struct EpochTotals {
  double loss_sum = 0.0;
  std::size_t correct = 0, seen = 0;
};

// One pass over the loader's batches; `step` counts optimiser steps across epochs.
EpochTotals train_epoch(Module& model, BatchLoader& loader, Optimizer& optimizer,
                        const std::string& phase, int epoch, std::size_t& step,
                        const TrainHooks& hooks, Progress* progress) {
  EpochTotals t;
  Batch batch;
  std::size_t batch_index = 0;
  while (loader.next(batch)) {
    optimizer.zero_grad();
    Variable logits = model.forward(Variable(batch.images));
    Variable loss = cross_entropy(logits, batch.labels);
    const float loss_value = loss.data()(0);
    if (!std::isfinite(loss_value))
      throw TrainingDiverged(phase + ": loss became " + std::to_string(loss_value) + " at epoch " +
                             std::to_string(epoch + 1) + ", step " + std::to_string(step));
    loss.backward();
    optimizer.step();
    if (hooks.on_step_end) hooks.on_step_end(step);
    ++step;
    t.loss_sum += loss_value * batch.labels.size();
    t.correct += count_correct(logits.data(), batch.labels);
    t.seen += batch.labels.size();
    if (progress)
      progress->update(batch_index++, t.loss_sum / t.seen, static_cast<double>(t.correct) / t.seen);
  }
  return t;
}

}  // namespace

FitResult fit(Module& model, const DataSplits& data, const Normalization& norm,
              const TrainSettings& settings, std::uint64_t seed, const std::string& phase,
              const TrainHooks& hooks, Progress* progress) {
  FitResult result;
  const auto fit_start = std::chrono::steady_clock::now();
  std::unique_ptr<Optimizer> optimizer = make_optimizer(settings, model.parameters());
  BatchLoader loader(data.train, settings.batch_size, true, seed, norm, settings.augmentation);
  ModelState best_state;
  bool have_best = false;
  std::size_t step = 0;
  for (int epoch = 0; epoch < settings.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    optimizer->set_lr(settings.schedule.lr_at(settings.lr, epoch));
    model.train();
    loader.start_epoch(static_cast<std::size_t>(epoch));
    if (progress)
      progress->begin_epoch(phase, epoch + 1, settings.epochs, loader.batches_per_epoch());
    const EpochTotals totals =
        train_epoch(model, loader, *optimizer, phase, epoch, step, hooks, progress);
    const EvalResult val = evaluate(model, data.val, norm, settings.eval_batch_size);
    EpochMetrics m;
    m.phase = phase;
    m.epoch = epoch + 1;
    m.lr = optimizer->lr();
    m.train_loss = totals.seen ? totals.loss_sum / totals.seen : 0.0;
    m.train_acc = totals.seen ? static_cast<double>(totals.correct) / totals.seen : 0.0;
    m.val_loss = val.loss;
    m.val_acc = val.accuracy;
    m.sparsity = hooks.sparsity ? hooks.sparsity() : 0.0;
    m.seconds = seconds_since(epoch_start);
    result.epochs.push_back(m);
    if (progress) progress->end_epoch(m);
    if (hooks.on_epoch_end) hooks.on_epoch_end(m);
    const bool selectable = !hooks.selectable || hooks.selectable(epoch + 1);
    if (selectable && (!have_best || val.accuracy > result.best_val_acc)) {
      result.best_epoch = epoch + 1;
      result.best_val_acc = val.accuracy;
      if (settings.select_on_val && epoch + 1 < settings.epochs) best_state = capture_state(model);
      have_best = true;
    }
  }
  // The last epoch's weights are live; restore only if an earlier epoch was better.
  if (settings.select_on_val && have_best && result.best_epoch < settings.epochs)
    restore_state(model, best_state);
  result.seconds = seconds_since(fit_start);
  return result;
}

ModelState capture_state(Module& model) {
  ModelState state;
  for (auto& [name, p] : model.named_parameters()) state.values.emplace_back(name, p->value.data());
  for (auto& [name, b] : model.named_buffers()) state.values.emplace_back(name, *b);
  return state;
}

void restore_state(Module& model, const ModelState& state) {
  std::size_t i = 0;
  for (auto& [name, p] : model.named_parameters()) {
    if (state.values.at(i).first != name)
      throw std::logic_error("restore_state: expected " + name + ", got " + state.values[i].first);
    p->value.data() = state.values[i++].second;
    p->apply_mask();
  }
  for (auto& [name, b] : model.named_buffers()) *b = state.values.at(i++).second;
}

}  // namespace poda
