#include <doctest/doctest.h>

#include <cmath>

#include "prune/pruner.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/schedule_math.h"
#include "prune/settings.h"
#include "prune_test_models.h"

using namespace poda;

namespace {
std::string fields(const std::vector<FieldError>& errors) {
  std::string out;
  for (const FieldError& e : errors) out += (out.empty() ? "" : ",") + e.field;
  return out;
}
}  // namespace

TEST_CASE("prune settings: defaults are valid, bad values name their field") {
  PruneSettings s;
  CHECK(s.validate().empty());

  SUBCASE("sparsity outside [0, 1)") {
    s.sparsity = 1.0;
    auto e = s.validate();
    CHECK(fields(e) == "sparsity");
    CHECK(e[0].message == "must be in [0, 1), got 1");
    s.sparsity = -0.1;
    CHECK(fields(s.validate()) == "sparsity");
  }
  SUBCASE("N > M") {
    s.granularity.kind = Granularity::n_m;
    s.granularity.n = 5;
    s.granularity.m = 4;
    auto e = s.validate();
    CHECK(fields(e) == "granularity.n");
    CHECK(e[0].message == "N must not exceed M (N:M = 5:4)");
  }
  SUBCASE("unknown criterion") {
    s.criterion = "magnitud";
    auto e = s.validate();
    CHECK(fields(e) == "criterion");
    CHECK(e[0].message.find("unknown criterion 'magnitud' (expected one of: ") == 0);
  }
  SUBCASE("criterion / granularity mismatch") {
    s.criterion = "bn_scale";
    auto e = s.validate();
    CHECK(fields(e) == "granularity");
    CHECK(e[0].message ==
          "criterion 'bn_scale' does not support granularity 'unstructured' (it supports: neuron, "
          "filter)");
  }
  SUBCASE("schedule and override fields") {
    s.schedule.kind = "gradual";
    s.schedule.numbers["step_interval"] = 0;
    s.schedule.numbers["initial_sparsity"] = 0.95;
    s.overrides = {{"fc3", false, 1.5, 1.0}, {"fc3", false, -1.0, 0.0}};
    CHECK(fields(s.validate()) == "overrides[0].sparsity,overrides[1].name,overrides[1].rate_scale");
    CHECK(fields(check_prune_settings(s)) ==
          "overrides[0].sparsity,overrides[1].name,overrides[1].rate_scale,"
          "schedule.initial_sparsity,schedule.step_interval");
  }
}

TEST_CASE("enum names round-trip and unknown names list the choices") {
  CHECK(find_schedule("lottery") != nullptr);
  CHECK(make_schedule(ScheduleSpec{"at_init", {}, {}})->starts_from_pretrained() == false);
  CHECK(parse_scope("layer") == Scope::layer);
  CHECK(parse_granularity("n_m") == Granularity::n_m);
  CHECK(parse_iterative_path("fixed_rate") == IterativePath::fixed_rate);
  CHECK_THROWS_WITH_AS(parse_scope("local"),
                       "unknown scope 'local' (expected one of: layer, global)",
                       std::invalid_argument);
}

TEST_CASE("override targets: rate scale and explicit final sparsity") {
  LayerOverride half{"fc3", false, -1.0, 0.5};
  CHECK(override_target(0.75, 0.9, half) == doctest::Approx(0.5));
  CHECK(override_target(0.0, 0.9, half) == doctest::Approx(0.0));
  LayerOverride fixed{"fc3", false, 0.5, 1.0};
  CHECK(override_target(0.9, 0.9, fixed) == doctest::Approx(0.5));  // reaches S_l at the end
  CHECK(override_target(0.0, 0.9, fixed) == doctest::Approx(0.0));
  const double mid = override_target(1.0 - std::sqrt(0.1), 0.9, fixed);  // halfway, geometrically
  CHECK(mid == doctest::Approx(1.0 - std::sqrt(0.5)));
}

TEST_CASE("an override naming no layer is an error listing the layers") {
  Sequential m;
  m.add("fc1", test::dense(2, 2, true, Array{{1, 2}, {3, 4}}));
  PruneSettings s;
  s.overrides = {{"fc9", true, -1.0, 1.0}};
  CriterionContext ctx;
  CHECK_THROWS_WITH_AS(prune(m, s, 0.5, ctx),
                       "prune override 'fc9' matches no prunable layer (layers: fc1)",
                       std::invalid_argument);
}
