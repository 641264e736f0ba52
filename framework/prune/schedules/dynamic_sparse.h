#pragma once
// Dynamic sparse training, the run shared by `set` and `rigl` (one registered file each):
// the scope's layers start sparse from the initialisation (random masks at uniform or ERK
// layer densities, sparse_topology.h) and train train_epochs at the full rate; every
// update_interval steps until end_fraction of the run, each layer drops the drop fraction of
// its kept weights of smallest magnitude and grows as many others, scored by the schedule
// (grow_scores). Each mask update goes through Parameter::set_mask, whose version bump makes
// a Dense layer's sparse path rebuild its pattern (its cost counted in pattern_build_cost())
// and the optimiser forget the state of the dropped entries.
#include <map>
#include <string>
#include <vector>

#include "core/random.h"
#include "prune/schedules/schedule.h"
#include "prune/schedules/sparse_topology.h"

namespace poda {

struct Parameter;

struct DynamicSparseSpec {
  int train_epochs = 10;
  LayerDensities densities = LayerDensities::erk;
  long update_interval = 100;  // optimiser steps between mask updates (ΔT)
  double drop_fraction = 0.3;  // of each layer's kept weights, at the first update
  double end_fraction = 0.75;  // no mask update after this fraction of the run's steps
  bool cosine = true;          // drop fraction decays as cosine_drop_fraction; else constant

  static DynamicSparseSpec from(const ScheduleSpec& spec, bool cosine_default);
};

// The keys both schedules declare, and the help line's list of them.
std::map<std::string, KeyKind> dynamic_sparse_keys();
std::string dynamic_sparse_key_help(bool cosine_default);

// The prunable weights that dynamic sparse training makes sparse: every prune target but
// exclude_first, exclude_last and the layers an override excludes.
std::vector<Parameter*> dynamic_sparse_scope(Module& model, const PruneSettings& settings);

class DynamicSparse : public Schedule {
 public:
  DynamicSparse(const ScheduleSpec& spec, bool cosine_default);
  std::vector<FieldError> validate(const PruneSettings& settings) const override;
  bool starts_from_pretrained() const override { return false; }
  void run(ScheduleRun& run) const override;

  // Drops and grows in every layer of `layers` with drop fraction `fraction` (update number
  // `update`, 0-based); what the run calls every update_interval steps.
  void update_masks(ScheduleRun& run, const std::vector<Parameter*>& layers, double fraction,
                    long update, Rng& rng) const;

 protected:
  // Per layer of `layers` (flat, like the weight): the score by which empty entries grow.
  // Called with the masks in place; it may remove them (update_masks sets them again).
  virtual std::vector<std::vector<float>> grow_scores(ScheduleRun& run,
                                                      const std::vector<Parameter*>& layers,
                                                      long update, Rng& rng) const = 0;

 private:
  DynamicSparseSpec d_;
  ScheduleSpec spec_;
};

}  // namespace poda
