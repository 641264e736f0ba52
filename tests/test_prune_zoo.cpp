// Every granularity on the zoo's CNNs (plain chains, BatchNorm, residual blocks with projection
// shortcuts): the engine must prune them to the documented counts and keep them runnable.
#include <doctest/doctest.h>

#include "core/ops.h"
#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"
#include "prune/select.h"
#include "prune/units.h"

using namespace poda;

TEST_CASE("zoo CNNs: each granularity reaches its rounded target and the model still runs") {
  struct Case {
    std::string model;
    Shape input;
  };
  for (const Case& c : {Case{"lenet5_caffe", {1, 28, 28}}, Case{"resnet20", {3, 32, 32}}}) {
    struct Variant {
      std::string criterion;
      Granularity g;
      Scope scope;
    };
    for (const Variant& v : {Variant{"magnitude", Granularity::unstructured, Scope::global},
                             Variant{"l1_norm", Granularity::filter, Scope::layer},
                             Variant{"l2_norm", Granularity::channel, Scope::layer},
                             Variant{"magnitude", Granularity::block, Scope::layer},
                             Variant{"taylor", Granularity::n_m, Scope::layer}}) {
      CAPTURE(c.model);
      CAPTURE(granularity_name(v.g));
      Rng rng(1);
      auto model =
          build_model(find_zoo_model(c.model)->layers, c.input, Init::kaiming_uniform, rng);
      const std::vector<PruneTarget> before = collect_targets(*model);
      PruneSettings s;
      s.criterion = v.criterion;
      s.granularity.kind = v.g;
      s.granularity.block_rows = s.granularity.block_cols = 2;
      s.scope = v.scope;
      s.sparsity = 0.6;
      REQUIRE(s.validate().empty());
      Shape batch_shape{2};
      batch_shape.insert(batch_shape.end(), c.input.begin(), c.input.end());
      Array x = empty_array(batch_shape);
      for (float& value : x) value = rng.normal();
      CriterionContext ctx;
      ctx.batches = 1;
      ctx.compute_gradients = [&x](Module& m, int) { sum(m.forward(Variable(x))).backward(); };
      PruneStats st = prune(*model, s, 0.6, ctx);

      std::size_t expected = 0;
      for (std::size_t i = 0; i < before.size(); ++i) {
        const PruneTarget& t = before[i];
        const bool last = i + 1 == before.size();
        if (v.g == Granularity::filter && last) continue;
        if (v.g == Granularity::channel && (i == 0 || t.groups != 1)) continue;
        if (v.g == Granularity::block)
          expected += units_for_fraction(0.6, unit_layout(t, s.granularity).units);
        if (v.g == Granularity::filter) expected += units_for_fraction(0.6, t.out_units());
        if (v.g == Granularity::channel) expected += units_for_fraction(0.6, t.in_units());
      }
      if (v.g == Granularity::unstructured) expected = units_for_fraction(0.6, st.units);
      if (v.g == Granularity::n_m)
        CHECK(st.weight_sparsity() > 0.45);  // 0.5 but for tail groups
      else
        CHECK(st.units_pruned == expected);
      model->eval();
      CHECK(model->forward(Variable(x)).shape() == Shape{2, 10});
    }
  }
}
