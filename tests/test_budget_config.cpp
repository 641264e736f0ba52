// prune.budget in the experiment file: each kind, its options, sweeping it, and every
// mistake reported at file:line:col.
#include <doctest/doctest.h>

#include "experiment/config/config.h"
#include "experiment/config/sweep.h"

using namespace poda;

namespace {

const std::string head = "model: {zoo: lenet300_100}\nprune:\n";

ExperimentConfig parse(const std::string& text) {
  return parse_experiment_config(YAML::Load(text), "exp.yaml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("prune.budget: each kind, with its batch size, forms and strategy") {
  const ExperimentConfig latency = parse(head + "  budget: {latency_b64_us: 120}\n");
  REQUIRE(latency.prune->budget);
  CHECK(latency.prune->budget->kind == BudgetKind::latency_us);
  CHECK(latency.prune->budget->batch == 64);
  CHECK(latency.prune->budget->value == 120.0);
  CHECK(latency.prune->budget->key() == "latency_b64_us");
  CHECK(latency.prune->budget->strategy == "lookup_table");
  CHECK(latency.prune->budget->forms ==
        std::vector<Granularity>{Granularity::unstructured, Granularity::filter});

  const ExperimentConfig speedup =
      parse(head + "  budget: {speedup: 3, batch: 64, forms: [neuron]}\n");
  CHECK(speedup.prune->budget->kind == BudgetKind::speedup);
  CHECK(speedup.prune->budget->batch == 64);
  CHECK(speedup.prune->budget->label() == "speedup_b64");
  CHECK(speedup.prune->budget->forms == std::vector<Granularity>{Granularity::neuron});
  CHECK(speedup.prune->budget->met_by(3.2));
  CHECK_FALSE(speedup.prune->budget->met_by(2.9));

  const ExperimentConfig bytes = parse(head + "  budget: {bytes: 50000}\n");
  CHECK(bytes.prune->budget->kind == BudgetKind::bytes);
  CHECK(bytes.prune->budget->met_by(50000));
  CHECK_FALSE(bytes.prune->budget->met_by(50001));
  CHECK(parse(head + "  budget: {macs: 1e4}\n").prune->budget->kind == BudgetKind::macs);
  CHECK_FALSE(parse(head + "  sparsity: 0.5\n").prune->budget);
}

TEST_CASE("prune.budget: mistakes name the key at file:line:col") {
  CHECK(error_of(head + "  sparsity: 0.5\n  budget: {speedup: 2}\n") ==
        "exp.yaml:3:13: 'prune.sparsity': give either 'sparsity' or 'budget' (the search "
        "chooses each layer's sparsity), not both");
  CHECK(error_of(head + "  budget: {speedup: 0}\n") ==
        "exp.yaml:3:21: 'prune.budget.speedup': must be a positive finite number, got 0");
  CHECK(error_of(head + "  budget: {latency_b1_us: -5}\n") ==
        "exp.yaml:3:27: 'prune.budget.latency_b1_us': must be a positive finite number, got -5");
  CHECK(error_of(head + "  budget: {bytes: 100, macs: 10}\n")
            .rfind("exp.yaml:3:30: 'prune.budget.macs': give exactly one budget", 0) == 0);
  CHECK(error_of(head + "  budget: {forms: [unstructured]}\n")
            .rfind("exp.yaml:3:11: 'prune.budget.latency_b1_us': give exactly one budget", 0) ==
        0);
  CHECK(error_of(head + "  budget: {bytes: 100, speed: 2}\n")
            .rfind("exp.yaml:3:24: unknown key 'speed' in 'prune.budget'", 0) == 0);
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [unstructured, int4]}\n")
            .rfind("exp.yaml:3:46: 'prune.budget.forms[1]': unknown form 'int4'", 0) == 0);
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [neuron, neuron]}\n") ==
        "exp.yaml:3:31: 'prune.budget.forms': 'neuron' is given twice");
  CHECK(error_of(head + "  budget: {bytes: 100, strategy: guess}\n")
            .rfind("exp.yaml:3:34: 'prune.budget.strategy': unknown value 'guess'", 0) == 0);
  CHECK(error_of(head + "  budget: {bytes: 100, batch: 4}\n")
            .rfind("exp.yaml:3:24: unknown key 'batch' in 'prune.budget'", 0) == 0);
}

TEST_CASE("prune.budget: swept like any key") {
  const std::string text = head + "  budget: {speedup: 2}\nsweep:\n  prune.budget.speedup: [2, 4]\n";
  const std::vector<SweepPoint> points = expand_sweep_source(text, "exp.yaml");
  REQUIRE(points.size() == 2);
  CHECK(parse_experiment_config(points[1].config, "exp.yaml").prune->budget->value == 4.0);
  CHECK(points[1].swept.at(0).first == "prune.budget.speedup");
}

TEST_CASE("prune.budget: search_finetune_steps, the strategy's default unless given") {
  CHECK(parse(head + "  budget: {bytes: 100}\n").prune->budget->search_finetune_steps == -1);
  CHECK(parse(head + "  budget: {bytes: 100, search_finetune_steps: 20}\n")
            .prune->budget->search_finetune_steps == 20);
  const std::string negative = error_of(head + "  budget: {bytes: 100, search_finetune_steps: -1}\n");
  CAPTURE(negative);
  CHECK(negative.rfind("exp.yaml:3:47: 'prune.budget.search_finetune_steps'", 0) == 0);
}

TEST_CASE("prune.budget: int8 and kmeans are forms of a bytes budget with that quantize section") {
  const std::string int8 = "quantize: {kind: int8}\n";
  const ExperimentConfig c =
      parse(head + "  budget: {bytes: 100, forms: [unstructured, int8]}\n" + int8);
  CHECK(c.prune->budget->forms == std::vector<Granularity>{Granularity::unstructured});
  CHECK(c.prune->budget->quant_forms == std::vector<std::string>{"int8"});
  CHECK(parse(head + "  budget: {bytes: 100, forms: [filter, kmeans]}\nquantize: {kind: kmeans}\n")
            .prune->budget->quant_forms == std::vector<std::string>{"kmeans"});
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [unstructured, int8]}\n") ==
        "exp.yaml:3:46: 'prune.budget.forms[1]': form 'int8': needs a 'quantize:' section of "
        "kind int8 (its settings quantize)");
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [kmeans, filter]}\n" + int8)
            .rfind("exp.yaml:3:32: 'prune.budget.forms[0]': form 'kmeans': needs a 'quantize:' "
                   "section of kind kmeans", 0) == 0);
  CHECK(error_of(head + "  budget: {speedup: 2, forms: [unstructured, int8]}\n" + int8) ==
        "exp.yaml:3:46: 'prune.budget.forms[1]': form 'int8': a quantized form counts only for "
        "a bytes budget");
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [int8]}\n" + int8)
            .rfind("exp.yaml:3:31: 'prune.budget.forms': give at least one pruning form", 0) == 0);
  CHECK(error_of(head + "  budget: {bytes: 100, forms: [filter, int8, int8]}\n" + int8)
            .rfind("exp.yaml:3:31: 'prune.budget.forms': 'int8' is given twice", 0) == 0);
}

TEST_CASE("prune.budget: baselines, on unless turned off, a boolean") {
  CHECK(parse(head + "  budget: {bytes: 100}\n").prune->budget->baselines);
  CHECK_FALSE(parse(head + "  budget: {bytes: 100, baselines: false}\n").prune->budget->baselines);
  const std::string wrong = error_of(head + "  budget: {bytes: 100, baselines: maybe}\n");
  CHECK(wrong.rfind("exp.yaml:3:", 0) == 0);
  CHECK(wrong.find("baselines") != std::string::npos);
}
