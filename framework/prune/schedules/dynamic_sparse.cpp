#include "prune/schedules/dynamic_sparse.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "prune/schedules/driver.h"
#include "prune/target.h"

namespace poda {

namespace {
constexpr std::uint64_t topology_stream = 0x5E7D57;  // the masks' random stream of the seed

std::string decay_name(bool cosine) {
  return cosine ? "cosine" : "constant";
}

PruneStats scope_stats(const std::vector<Parameter*>& layers) {
  PruneStats st;
  for (const Parameter* p : layers) {
    const std::size_t n = p->value.size(), kept = p->live_indices().size();
    st.units += n;
    st.weights += n;
    st.units_pruned += n - kept;
    st.weights_pruned += n - kept;
  }
  return st;
}
}  // namespace

DynamicSparseSpec DynamicSparseSpec::from(const ScheduleSpec& spec, bool cosine_default) {
  DynamicSparseSpec d;
  d.train_epochs = static_cast<int>(spec.number_or("train_epochs", d.train_epochs));
  d.update_interval = static_cast<long>(spec.number_or("update_interval", 100));
  d.drop_fraction = spec.number_or("drop_fraction", d.drop_fraction);
  d.end_fraction = spec.number_or("end_fraction", d.end_fraction);
  d.cosine = spec.text_or("drop_decay", decay_name(cosine_default)) == "cosine";
  const std::string densities = spec.text_or("densities", "erk");
  d.densities = densities == "uniform" ? LayerDensities::uniform : LayerDensities::erk;
  return d;
}

std::map<std::string, KeyKind> dynamic_sparse_keys() {
  return {{"train_epochs", KeyKind::count},    {"densities", KeyKind::text},
          {"update_interval", KeyKind::count}, {"drop_fraction", KeyKind::number},
          {"end_fraction", KeyKind::number},   {"drop_decay", KeyKind::text}};
}

std::string dynamic_sparse_key_help(bool cosine_default) {
  return "[train_epochs: 10], [densities: erk|uniform], [update_interval: 100], "
         "[drop_fraction: 0.3], [end_fraction: 0.75], [drop_decay: " +
         decay_name(cosine_default) + "]";
}

std::vector<Parameter*> dynamic_sparse_scope(Module& model, const PruneSettings& s) {
  std::vector<PruneTarget> targets = collect_targets(model);
  std::vector<Parameter*> layers;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const PruneTarget& t = targets[i];
    if ((s.exclude_first && i == 0) || (s.exclude_last && i + 1 == targets.size())) continue;
    const bool excluded = std::any_of(s.overrides.begin(), s.overrides.end(), [&](auto& o) {
      return o.exclude && (o.name == t.name || o.name == t.weight_name);
    });
    if (!excluded) layers.push_back(t.weight);
  }
  return layers;
}

DynamicSparse::DynamicSparse(const ScheduleSpec& spec, bool cosine_default)
    : d_(DynamicSparseSpec::from(spec, cosine_default)), spec_(spec) {}

std::vector<FieldError> DynamicSparse::validate(const PruneSettings& s) const {
  std::vector<FieldError> errors;
  const std::string densities = spec_.text_or("densities", "erk");
  if (densities != "erk" && densities != "uniform")
    errors.push_back({"schedule.densities", "unknown layer densities '" + densities +
                                                "' (expected one of: erk, uniform)"});
  const std::string decay = spec_.text_or("drop_decay", decay_name(d_.cosine));
  if (decay != "cosine" && decay != "constant")
    errors.push_back({"schedule.drop_decay",
                      "unknown drop decay '" + decay + "' (expected one of: constant, cosine)"});
  check_range(spec_, "train_epochs", 10, 1, 100000, errors);
  check_range(spec_, "update_interval", 100, 1, 1e12, errors);
  check_range(spec_, "drop_fraction", 0.3, 0.0, 1.0, errors);
  check_range(spec_, "end_fraction", 0.75, 0.0, 1.0, errors);
  if (s.granularity.kind != Granularity::unstructured)
    errors.push_back({"granularity", "schedule '" + spec_.kind +
                                         "' grows single weights: needs granularity unstructured"});
  if (s.budget) errors.push_back({"budget", "schedule '" + spec_.kind + "' takes a sparsity"});
  for (const LayerOverride& o : s.overrides)
    if (!o.exclude)
      errors.push_back({"overrides", "schedule '" + spec_.kind + "' sets layer densities by " +
                                         "`densities`: an override can only exclude a layer ('" +
                                         o.name + "')"});
  return errors;
}

void DynamicSparse::update_masks(ScheduleRun& run, const std::vector<Parameter*>& layers,
                                 double fraction, long update, Rng& rng) const {
  std::vector<Array> masks;  // before grow_scores, which may lift them
  for (const Parameter* p : layers) {
    masks.push_back(zeros_array(p->value.shape()));
    if (p->has_mask())
      masks.back() = p->mask.data();
    else
      std::fill(masks.back().begin(), masks.back().end(), 1.0f);
  }
  const std::vector<std::vector<float>> scores = grow_scores(run, layers, update, rng);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    Array& mask = masks[l];
    const std::size_t kept = static_cast<std::size_t>(
        std::count_if(mask.begin(), mask.end(), [](float m) { return m != 0.0f; }));
    const auto k = static_cast<std::size_t>(std::llround(fraction * double(kept)));
    const std::vector<float> next = update_topology(layers[l]->value.data().data(), mask.data(),
                                                    scores[l].data(), mask.size(), k);
    std::copy(next.begin(), next.end(), mask.begin());
    layers[l]->set_mask(std::move(mask));
  }
}

void DynamicSparse::run(ScheduleRun& run) const {
  const PruneSettings& s = run.settings();
  const std::vector<Parameter*> layers = dynamic_sparse_scope(run.model(), s);
  if (layers.empty()) throw std::invalid_argument(spec_.kind + ": no layer is left to make sparse");
  const long steps_per_epoch = run.hooks().steps_per_epoch;
  if (steps_per_epoch <= 0)
    throw std::invalid_argument(spec_.kind + ": the trainer did not give its steps per epoch");
  std::vector<Shape> shapes;
  for (const Parameter* p : layers) shapes.push_back(p->value.shape());
  const std::vector<double> density = layer_densities(shapes, 1.0 - s.sparsity, d_.densities);
  Rng rng(derive_seed(s.seed, topology_stream));
  for (std::size_t l = 0; l < layers.size(); ++l)
    layers[l]->set_mask(random_topology(shapes[l], density[l], rng));
  RoundRecord rec = run.round(1, s.sparsity, scope_stats(layers));
  rec.pruned = rec.last_pruned = run.evaluate();
  const long end = std::lround(d_.end_fraction * double(d_.train_epochs * steps_per_epoch));
  long updates = 0, taken = 0;
  auto step = [&](long t) {
    taken = t + 1;  // steps taken
    if (taken % d_.update_interval != 0 || taken >= end) return;
    const double f =
        d_.cosine ? cosine_drop_fraction(taken, d_.drop_fraction, end) : d_.drop_fraction;
    update_masks(run, layers, f, updates++, rng);
  };
  // An epoch's weights can be chosen as the best only once the masks stay as they are: the
  // trainer restores the values alone, under the masks of the end.
  run.train(d_.train_epochs, 1.0, "sparse training", step, [&] { return taken >= end; });
  rec.trained = run.evaluate();
  run.finish(std::move(rec));
}

}  // namespace poda
