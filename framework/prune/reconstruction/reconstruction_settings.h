#pragma once
// The keys of `prune.sparsegpt` (criteria that reconstruct weights layer by layer): parsed
// once by the config reader, validated in PruneSettings::validate(), read by the criterion
// through CriterionContext.
#include <cstddef>

namespace poda {

struct ReconstructionSettings {
  std::size_t block_size = 128;  // columns per lazy update block (the paper's B)
  double damp = 0.01;            // lambda as a fraction of mean(diag H) (the paper's 1%)
};

}  // namespace poda
