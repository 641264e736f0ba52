#include "experiment/runner/budget_candidates.h"

#include <chrono>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "budget/choice.h"
#include "budget/cost_table.h"
#include "budget/quantity.h"
#include "experiment/runner/trainer_hooks.h"
#include "prune/bn_recalibration.h"

namespace poda {

namespace {

struct ChoiceCandidate {
  std::string name, strategy;
  std::shared_ptr<PruneSettings> settings;  // the problem refers to it
  BudgetSearch search;
  std::optional<TrialState> searched;  // model_pruned: the state the search left
  Accuracy pruned, final;
  double val_loss = NAN, measured = NAN;
  bool met = false;
  std::optional<TrialState> trained;
};

BudgetProblem choice_with_settings(const BudgetProblem& p, const PruneSettings& s) {
  BudgetProblem q{p.model, p.input_shape, s};
  q.validation_loss = p.validation_loss;
  q.run_forward = p.run_forward;
  q.compute_gradients = p.compute_gradients;
  q.load_table = p.load_table;
  q.save_table = p.save_table;
  q.recalibration_batches = p.recalibration_batches;
  q.short_finetune = p.short_finetune;
  q.message = p.message;
  q.value_formats = p.value_formats;
  q.quantize_trial = p.quantize_trial;
  q.quantized_bytes_margin = p.quantized_bytes_margin;
  return q;
}

// The candidate's search from the dense model; the dense model is put back unless the
// search leaves it pruned (then that state is kept in the candidate).
void choice_run_search(ChoiceCandidate& c, BudgetProblem& problem, const TrialState& dense) {
  dense.restore(problem.model);  // a search again after a fine-tune starts from the dense model
  c.search = make_budget_strategy(c.strategy)->search(problem);
  if (c.search.feasible && c.search.model_pruned) c.searched = TrialState::capture(problem.model);
  dense.restore(problem.model);
}

// Prunes to the candidate, fine-tunes it with a fresh set of hooks (so every candidate gets the
// batch order a baseline row's fine-tune gets), and measures it again.
void choice_finish(ChoiceCandidate& c, const BudgetRun& run, BudgetProblem& problem,
                   const TrialState& dense) {
  const ExperimentConfig& cfg = run.config;
  Sequential& model = problem.model;
  const ScheduleHooks hooks = trainer_hooks(run.data.splits, run.data.norm, cfg.train, cfg.seed,
                                            run.log_epoch, &run.progress);
  if (c.searched) {
    c.searched->restore(model);
  } else {
    dense.restore(model);
    CriterionContext ctx = criterion_context(problem);
    apply_layer_forms(model, *c.settings, c.search.layers, ctx);
  }
  if (problem.recalibration_batches > 0)
    recalibrate_statistics(model, problem.recalibration_batches, hooks.run_forward);
  c.pruned = hooks.evaluate(model);
  if (cfg.prune->finetune_epochs > 0) {
    TrainRequest r;
    r.epochs = cfg.prune->finetune_epochs;
    r.lr_scale = cfg.prune->finetune_lr_scale;
    r.phase = "finetune";
    hooks.train(model, r);
  }
  c.final = hooks.evaluate(model);
  c.val_loss = problem.validation_loss(model);
  // As the run's final check measures (check_budget): a timed candidate read with a shorter
  // protocol once met at 10.2x and the run's check read 4.75x (results/README.md 8a).
  c.measured = measure_problem(problem, c.search.value_format, budget_final_protocol(cfg),
                               kFinalReadings)
                   .value;
  c.met = problem.settings.budget->met_by(c.measured);
  c.trained = TrialState::capture(model);
}

// A quantized bytes candidate that counts over after its fine-tune: searched again with the
// margin the drift asks for, then fine-tuned again (twice at most).
void choice_retrim(ChoiceCandidate& c, const BudgetRun& run, BudgetProblem& problem,
                   const TrialState& dense) {
  const BudgetSpec& b = *problem.settings.budget;
  for (int i = 0; i < 2 && !c.met && b.kind == BudgetKind::bytes && !c.search.value_format.empty();
       ++i) {
    problem.quantized_bytes_margin =
        retrimmed_margin(c.measured, b.value, problem.quantized_bytes_margin);
    if (problem.message)
      problem.message(
          fmt::format("{}: {:.0f} bytes after fine-tuning; searched again {:.1f}% "
                      "below",
                      c.name, c.measured, 100 * problem.quantized_bytes_margin));
    c.searched.reset();
    choice_run_search(c, problem, dense);
    if (!c.search.feasible) return;
    choice_finish(c, run, problem, dense);
  }
}

ChoiceCandidate make_choice_candidate(const std::string& name, const std::string& strategy,
                                      std::shared_ptr<PruneSettings> settings) {
  ChoiceCandidate c;
  c.name = name;
  c.strategy = strategy;
  c.settings = std::move(settings);
  return c;
}

std::vector<ChoiceCandidate> choice_candidates_of(const PruneSettings& s) {
  std::vector<ChoiceCandidate> out;
  out.push_back(make_choice_candidate(s.budget->strategy, s.budget->strategy,
                                      std::make_shared<PruneSettings>(s)));
  if (is_baseline_strategy(s.budget->strategy) || !s.budget->baselines) return out;
  for (const BaselineCandidate& b : baseline_candidates(*s.budget)) {
    auto settings = std::make_shared<PruneSettings>(s);
    settings->budget->forms = b.forms;
    settings->budget->strategy = b.strategy;
    out.push_back(make_choice_candidate(b.name, b.strategy, settings));
  }
  return out;
}

std::string describe_choice_candidate(const ChoiceCandidate& c) {
  if (!c.search.feasible) return c.name + " infeasible";
  return fmt::format("{} val {:.4f} test {:.4f} {} {:.6g}", c.name, c.final.val, c.final.test,
                     c.met ? "met" : "missed", c.measured);
}

}  // namespace

BudgetOutcome search_and_choose(Sequential& model, const BudgetRun& run, BudgetProblem& problem,
                                RunRecord& record) {
  const TrialState dense = TrialState::capture(model);
  std::vector<ChoiceCandidate> all = choice_candidates_of(problem.settings);
  std::vector<BudgetProblem> problems;
  problems.reserve(all.size());
  const auto start = std::chrono::steady_clock::now();
  for (ChoiceCandidate& c : all) {
    problems.push_back(choice_with_settings(problem, *c.settings));
    choice_run_search(c, problems.back(), dense);
  }
  record.set("search_seconds",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  record.set("budget_table", all.front().search.table_reused ? "reused" : "measured");
  std::vector<CandidateScore> scores;
  std::string listed;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ChoiceCandidate& c = all[i];
    if (c.search.feasible) {
      choice_finish(c, run, problems[i], dense);
      choice_retrim(c, run, problems[i], dense);
    }
    scores.push_back(
        {c.name, c.search.feasible ? c.final.val : NAN, c.val_loss, c.search.feasible && c.met});
    listed += (listed.empty() ? "" : "; ") + describe_choice_candidate(c);
  }
  record.set("budget_candidates", listed);
  int chosen = choose_candidate(scores);
  if (chosen < 0)  // none met when measured again: the first feasible, the final check says
    for (std::size_t i = 0; i < all.size() && chosen < 0; ++i)
      if (all[i].search.feasible) chosen = static_cast<int>(i);
  BudgetOutcome out;
  if (chosen < 0) {
    dense.restore(model);
    out.failure = all.front().search.reason;
    return out;
  }
  const ChoiceCandidate& c = all[chosen];
  c.trained->restore(model);
  record.set("budget_choice", c.name);
  record.set("acc_before_finetune", c.pruned.test);
  if (problem.recalibration_batches > 0)
    record.set("bn_recalibration", problem.recalibration_batches);
  out.acc_pruned = c.pruned.test;
  for (const LayerForm& f : c.search.layers)
    out.forms[f.layer] = f.sparsity > 0.0 ? granularity_name(f.form) : "dense";
  if (budget_counts_quantization(run.config)) {
    out.counts_quantized = !c.search.value_format.empty();
    out.skip_quantize = c.search.value_format.empty();
    record.set("budget_format", out.counts_quantized ? c.search.value_format : "fp32");
  }
  return out;
}

}  // namespace poda
