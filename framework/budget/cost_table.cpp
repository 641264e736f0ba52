#include "budget/cost_table.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <fmt/format.h>

#include "budget/quantity.h"
#include "core/blas_runtime.h"
#include "kernels/cpu_features.h"
#include "infer/measure.h"
#include "kernels/isa.h"
#include "prune/bn_recalibration.h"

namespace poda {

namespace {

// Short: a table times every candidate against the dense model, and LeNet-5's whole table is
// meant to build within a minute on two cores.
LatencyProtocol table_protocol() { return short_protocol(0.12, 30, 1.0); }

bool is_latency(const BudgetSpec& b) {
  return b.kind == BudgetKind::latency_us || b.kind == BudgetKind::speedup;
}

// The model with `e`'s layer pruned alone, handed to `use`, then put back.
template <class F>
void with_candidate(BudgetProblem& problem, const CostEntry& e, CriterionContext& ctx, F use) {
  const TrialState state = TrialState::capture(problem.model);
  apply_layer_forms(problem.model, problem.settings, {{e.layer, e.form, e.sparsity}}, ctx);
  use();
  state.restore(problem.model);
}

// Each candidate timed in alternation with the dense model, one pair at a time: with more
// plans in one alternation their weights evict each other from the caches, and a batch-1
// plan is then timed colder than it runs. Returns the dense model's mean median.
double time_pairs(BudgetProblem& problem, std::vector<CostEntry>& entries) {
  const Shape& input = problem.input_shape;
  CriterionContext ctx = criterion_context(problem);
  const std::unique_ptr<InferencePlan> base = deployed_plan(problem.model, input);
  double base_sum = 0.0;
  for (CostEntry& e : entries) {
    std::unique_ptr<InferencePlan> candidate;
    with_candidate(problem, e, ctx, [&] { candidate = deployed_plan(problem.model, input); });
    const std::vector<LatencyStats> stats = time_plans(
        {base.get(), candidate.get()}, input, problem.settings.budget->batch, table_protocol());
    base_sum += stats[0].median_us;
    e.delta = stats[1].median_us - stats[0].median_us;
  }
  return entries.empty() ? 0.0 : base_sum / entries.size();
}

CostTable time_table(BudgetProblem& problem, std::vector<CostEntry> entries) {
  CostTable table;
  table.base = time_pairs(problem, entries);
  table.entries = std::move(entries);
  return table;
}

CostTable count_table(BudgetProblem& problem, std::vector<CostEntry> entries,
                      const std::string& format) {
  CostTable table;
  CriterionContext ctx = criterion_context(problem);
  const auto counted = [&] { return measure_problem(problem, format, LatencyProtocol{}).value; };
  table.base = counted();
  for (CostEntry& e : entries)
    with_candidate(problem, e, ctx, [&] { e.delta = counted() - table.base; });
  table.entries = std::move(entries);
  return table;
}

// The CPU's family, model and stepping (cpuid leaf 1): a virtual machine may name every AMD
// EPYC "AMD EPYC", so the brand alone let a Zen 5 run forced to the avx2 target reuse a Zen 3
// table. "" off x86.
std::string cpu_signature() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return "";
  const unsigned base_family = (a >> 8) & 0xf;
  const unsigned family = base_family + (base_family == 0xf ? (a >> 20) & 0xff : 0);
  const unsigned model = ((a >> 4) & 0xf) | (base_family >= 0x6 ? ((a >> 16) & 0xf) << 4 : 0);
  return fmt::format("family {:#x} model {:#x} stepping {}", family, model, a & 0xf);
#else
  return "";
#endif
}

}  // namespace

std::vector<CostEntry> candidates(const std::vector<BudgetLayer>& layers,
                                  const PruneSettings& settings) {
  std::vector<CostEntry> entries;
  for (const BudgetLayer& l : layers)
    for (Granularity form : l.forms)
      for (double s : form_sparsities(form, settings)) entries.push_back({l.name, form, s});
  return entries;
}

CriterionContext criterion_context(BudgetProblem& problem) {
  CriterionContext ctx;
  ctx.model = &problem.model;
  ctx.compute_gradients = problem.compute_gradients;
  ctx.run_forward = problem.run_forward;
  ctx.batches = problem.settings.data_batches;
  ctx.seed = problem.settings.seed;
  return ctx;
}

std::string latency_table_key(BudgetProblem& problem, const std::vector<CostEntry>& entries) {
  std::ostringstream key;
  key << "cpu " << cpu_features().brand << "\ncpu signature " << cpu_signature()
      << "\ncpu features " << cpu_features().describe()
      << "\nkernel target " << kernel_isa_name(kernel_isa()) << "\nblas core " << blas_core_name()
      << "\nblas threads " << blas_threads() << "\nbatch " << problem.settings.budget->batch
      << "\ninput " << shape_str(problem.input_shape) << "\n";
  for (const auto& [name, module] : problem.model.named_modules())
    key << "layer " << name << " " << module->describe() << "\n";
  for (const CostEntry& e : entries)
    key << "candidate " << e.layer << " " << granularity_name(e.form) << " " << e.sparsity << "\n";
  return key.str();
}

std::string table_text(const CostTable& table) {
  std::string text = fmt::format("base,,0,{:.6g}\n", table.base);
  for (const CostEntry& e : table.entries)
    text += fmt::format("{},{},{:.6g},{:.6g}\n", e.layer, granularity_name(e.form), e.sparsity,
                        e.delta);
  return text;
}

bool read_table_text(const std::string& text, CostTable& table) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() != 4) return false;
    rows.push_back(cells);
  }
  if (rows.size() != table.entries.size() + 1 || rows[0][0] != "base") return false;
  try {
    table.base = std::stod(rows[0][3]);
    for (std::size_t i = 0; i < table.entries.size(); ++i) {
      CostEntry& e = table.entries[i];
      const auto& r = rows[i + 1];
      if (r[0] != e.layer || r[1] != granularity_name(e.form) ||
          std::fabs(std::stod(r[2]) - e.sparsity) > 1e-6)
        return false;
      e.delta = std::stod(r[3]);
    }
  } catch (const std::exception&) {
    return false;
  }
  return std::isfinite(table.base);
}

BudgetMeasurement measure_problem(BudgetProblem& problem, const std::string& format,
                                  const LatencyProtocol& protocol, int readings) {
  const BudgetSpec& b = *problem.settings.budget;
  if (format.empty() || b.kind != BudgetKind::bytes)
    return measure_budget(problem.model, problem.input_shape, b, protocol, readings);
  if (!problem.quantize_trial)
    throw std::logic_error("budget: value format '" + format + "' without quantize_trial");
  BudgetMeasurement m;
  m.value = problem.quantize_trial(problem.model, format, false).bytes;
  return m;
}

double aimed_budget(const BudgetProblem& problem, const std::string& format) {
  const BudgetSpec& b = *problem.settings.budget;
  if (b.kind == BudgetKind::bytes)
    return format.empty() ? b.value : b.value * (1.0 - problem.quantized_bytes_margin);
  return tightened_budget(b, kSearchLatencyMargin);
}

std::string default_value_format(const BudgetProblem& problem) {
  return problem.value_formats.empty() ? "" : problem.value_formats.back();
}

CostTable measure_costs(BudgetProblem& problem, std::vector<CostEntry> entries,
                        const std::string& format) {
  if (!is_latency(*problem.settings.budget))
    return count_table(problem, std::move(entries), format);
  const std::string key = latency_table_key(problem, entries);
  CostTable kept;
  kept.entries = entries;
  if (problem.load_table && read_table_text(problem.load_table(key), kept)) {
    kept.reused = true;
    return kept;
  }
  CostTable table = time_table(problem, std::move(entries));
  if (problem.save_table) problem.save_table(key, table_text(table));
  return table;
}

void measure_losses(BudgetProblem& problem, std::vector<CostEntry>& entries, int default_steps) {
  const double base = problem.validation_loss(problem.model);
  CriterionContext ctx = criterion_context(problem);
  const int configured = problem.settings.budget->search_finetune_steps;
  const int steps = configured < 0 ? default_steps : configured;
  for (CostEntry& e : entries)
    with_candidate(problem, e, ctx, [&] {
      if (steps > 0 && problem.short_finetune) problem.short_finetune(problem.model, steps);
      if (problem.recalibration_batches > 0)
        recalibrate_statistics(problem.model, problem.recalibration_batches, problem.run_forward);
      e.loss = problem.validation_loss(problem.model) - base;
    });
}

}  // namespace poda
