// The latency protocol (measure/latency.h) and the inference measurement built on it
// (infer/measure.h): every callable timed, and the progress they report for a status line.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/random.h"
#include "experiment/config/config.h"
#include "infer/measure.h"
#include "nn/model_builder.h"

using namespace poda;

namespace {

LatencyProtocol short_protocol(double seconds) {
  LatencyProtocol p;
  p.warmup_seconds = 0.001;
  p.min_calls = 20;
  p.min_seconds = seconds;
  p.max_seconds = 2 * seconds;
  return p;
}

}  // namespace

TEST_CASE("latency: alternating calls are all timed; progress rises from 0 to near 1") {
  volatile double sink = 0.0;
  int a = 0, b = 0;
  std::vector<double> fractions;
  const std::vector<LatencyStats> stats =
      measure_alternating({[&] { ++a, sink = sink + 1.0; }, [&] { ++b, sink = sink * 0.5; }},
                          short_protocol(0.5), [&](double f) { fractions.push_back(f); });
  REQUIRE(stats.size() == 2);
  for (const LatencyStats& s : stats) {
    CHECK(s.calls >= 20);
    CHECK(s.median_us >= 0.0);
    CHECK(s.p90_us >= s.median_us);
  }
  CHECK(a > 20);
  CHECK(b > 20);
  REQUIRE_FALSE(fractions.empty());
  CHECK(fractions.front() < 0.01);
  CHECK(fractions.size() <= 6);  // one report a tenth of a second
  for (std::size_t i = 1; i < fractions.size(); ++i) {
    CAPTURE(i);
    CHECK(fractions[i] >= fractions[i - 1]);
    CHECK(fractions[i] <= 1.0);
  }
  CHECK(fractions.back() > 0.5);  // the last round before both minimums were met
}

TEST_CASE("latency: measure_inference says which batch size it times, in order") {
  const YAML::Node layers = YAML::Load(
      "[{type: flatten}, {type: dense, out: 8}, {type: relu}, "
      "{type: dense, out: 3}]");
  Rng rng(2);
  auto model = build_model(parse_layer_list(layers, "t.yaml", "layers"), {1, 4, 4},
                           Init::kaiming_uniform, rng);
  model->eval();
  InferenceMeasureSettings settings;
  settings.batch_sizes = {1, 4};
  settings.protocol = short_protocol(0.05);
  std::vector<std::string> lines;
  const InferenceMeasurement m = measure_inference(
      *model, {1, 4, 4}, settings, [&](const std::string& line) { lines.push_back(line); });
  CHECK(m.value("latency_b4_us_dense") > 0.0);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "timing fp32 latency: batch 1 (1/2) 0%");  // one report per size at least
  CHECK(lines.back().rfind("timing fp32 latency: batch 4 (2/2) ", 0) == 0);
}
