#pragma once
// A criterion scores importance: higher = keep. It is one small file under prune/criteria/
// that implements this interface and registers itself by name with one line:
//
//   const CriterionRegistrar magnitude_registrar("magnitude", [] { return std::make_unique<Magnitude>(); },
//                                "|w|");
//
// after which `criterion: magnitude` works in a config. Two kinds (level()):
//   weight: score_weights() returns one score per element of a parameter (same shape);
//           any granularity can group these (sum per neuron/filter/channel, mean per block).
//   unit:   score_units() returns one score per unit of a structured granularity (e.g. the
//           L2 norm of each filter), for criteria that only make sense per group.
// Scores of entries that are already pruned are ignored (treated as -inf) by the pruner.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prune/activations.h"
#include "prune/granularity.h"
#include "prune/reconstruction/reconstruction_settings.h"
#include "prune/target.h"

namespace poda {

class GradientAccumulator;

// Runs forward and backward on the caller's batch `index` (0-based), leaving gradients in
// the parameters. prune/ does not know how data is loaded; the runner supplies this.
using GradientFn = std::function<void(Module& model, int index)>;

struct CriterionContext {
  Module* model = nullptr;
  GradientFn compute_gradients;  // empty when no data is available
  ForwardFn run_forward;         // forward only on batch i; empty when no data is available
  int batches = 1;               // how many batches data-driven criteria average over
  std::uint64_t seed = 0;        // random criterion; mixed with the round and parameter name
  int round = 0;                 // pruning round (0-based), so random draws differ per round
  const GradientAccumulator* accumulated = nullptr;  // movement: gradients summed over steps
  // Per target (by name): statistics of its input and output over the `batches` calibration
  // batches. prune() fills it from run_forward before prepare() for criteria that
  // needs_activations(); a test may fill it by hand (and leave run_forward empty).
  ActivationMap activations;
  // What prune() is about to do, for criteria that prune inside prepare() (sparsegpt): the
  // step's granularity, each scored target's sparsity (by name) and the solver's settings.
  GranularitySpec granularity;
  std::map<std::string, double> target_sparsity;
  ReconstructionSettings reconstruction;
};

class Criterion {
 public:
  enum class Level { weight, unit };
  virtual ~Criterion() = default;

  virtual Level level() const { return Level::weight; }
  virtual bool supports(Granularity g) const = 0;
  // Data-driven criteria need CriterionContext::compute_gradients.
  virtual bool needs_data() const { return false; }
  // Criteria that read CriterionContext::activations (Wanda, APoZ).
  virtual bool needs_activations() const { return false; }
  // Criteria that read gradients accumulated during training (movement).
  virtual bool uses_training_gradients() const { return false; }
  // Targets this criterion cannot score (e.g. no BatchNorm after the layer) stay dense.
  virtual bool can_score(const PruneTarget& t) const { return true; }
  // What a layer needs for can_score(), for the error when no layer qualifies ("" if nothing).
  virtual std::string scoring_requirement() const { return ""; }

  // Called once per pruning step, before any score; gradient-based criteria gather here.
  virtual void prepare(const std::vector<const PruneTarget*>& targets, CriterionContext& ctx) {}
  virtual Array score_weights(const std::string& name, const Parameter& p,
                              const CriterionContext& ctx) const;
  virtual Array score_units(const PruneTarget& t, const GranularitySpec& g,
                            const CriterionContext& ctx) const;
};

using CriterionFactory = std::function<std::unique_ptr<Criterion>()>;

void register_criterion(const std::string& name, CriterionFactory factory, std::string help);
std::unique_ptr<Criterion> make_criterion(const std::string& name);  // throws listing names
bool has_criterion(const std::string& name);
std::vector<std::string> criterion_names();
std::string criterion_help(const std::string& name);  // its one line, for `poda list`

struct CriterionRegistrar {
  CriterionRegistrar(const std::string& name, CriterionFactory factory, std::string help) {
    register_criterion(name, std::move(factory), std::move(help));
  }
};

}  // namespace poda
