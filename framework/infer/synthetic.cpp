#include "infer/synthetic.h"

#include <sstream>
#include <stdexcept>

#include "nn/model_builder.h"
#include "nn/zoo.h"
#include "prune/pruner.h"

namespace poda {

std::shared_ptr<Sequential> synthetic_model(const std::string& name, const Shape& input_shape,
                                            std::uint64_t seed) {
  const ZooEntry* entry = find_zoo_model(name);
  if (!entry) {
    std::string names;
    for (const std::string& n : zoo_model_names()) names += " " + n;
    throw std::invalid_argument("no zoo model '" + name + "'; the zoo has:" + names);
  }
  Rng rng(seed);
  auto model = build_model(entry->layers, input_shape, Init::kaiming_uniform, rng);
  model->eval();
  return model;
}

void prune_synthetic(Module& model, const std::string& criterion, const std::string& granularity,
                     double sparsity, std::uint64_t seed) {
  if (sparsity <= 0.0) return;
  PruneSettings s;
  s.criterion = criterion;
  s.granularity.kind = parse_granularity(granularity);
  s.scope = Scope::layer;
  s.sparsity = sparsity;
  s.seed = seed;
  s.exclude_last = s.granularity.removes_output_units();
  CriterionContext ctx;
  ctx.model = &model;
  ctx.seed = seed;
  prune(model, s, sparsity, ctx);
}

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    std::size_t used = 0;
    unsigned long v = 0;
    try {
      v = std::stoul(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || v == 0)
      throw std::invalid_argument("shape '" + text + "': expected positive sizes like 1,28,28");
    shape.push_back(v);
  }
  if (shape.empty()) throw std::invalid_argument("shape '" + text + "' is empty");
  return shape;
}

}  // namespace poda
