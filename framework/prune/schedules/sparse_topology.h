#pragma once
// The pure parts of dynamic sparse training (set.cpp, rigl.cpp): how the scope's density is
// spread over its layers (uniform, or Erdős–Rényi–Kernel as in RigL, Evci et al. 2020), the
// random topology a layer starts from, the drop fraction's cosine decay, and one mask
// update: drop the k kept weights of smallest magnitude, grow k of the entries that are then
// empty, those of largest score (RigL: |dense gradient|; SET: a random score).
#include <cstddef>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"

namespace poda {

enum class LayerDensities { uniform, erk };
LayerDensities parse_layer_densities(const std::string& name);  // throws listing the choices
std::string layer_densities_name(LayerDensities d);

// The density of each layer (weight shapes: Dense (out, in), Conv (C_out, C_in, kH, kW)) so
// that the layers together keep `density` of their weights. uniform: every layer the same.
// erk: layer l keeps eps * (sum of its dimensions) / (product of its dimensions), with eps
// solved so the total is right; a layer that would exceed 1 is made dense and eps solved again
// over the others (RigL's sparse_utils.get_sparsities).
std::vector<double> layer_densities(const std::vector<Shape>& shapes, double density,
                                    LayerDensities kind);

// A 0/1 mask of `shape` keeping round(density * n) entries (at least 1), drawn uniformly.
Array random_topology(const Shape& shape, double density, Rng& rng);

// The fraction of a layer's kept weights replaced at step t: initial / 2 * (1 + cos(pi t /
// end)) (RigL's cosine decay), 0 from `end` on.
double cosine_drop_fraction(long t, double initial, long end);

// One mask update of n entries: the k kept entries (mask != 0) of smallest |weight| are
// dropped, then the k entries empty after the drop with the largest grow_score are grown
// (just-dropped entries may grow again); ties go to the lower index. Returns the new 0/1
// mask; k is capped by the kept and the empty entries. The weights of newly grown entries
// (empty before the update) are set to zero, as RigL initialises new connections.
std::vector<float> update_topology(float* weight, const float* mask, const float* grow_score,
                                   std::size_t n, std::size_t k);

}  // namespace poda
