// SparseGPT (Frantar & Alistarh 2023): one-shot pruning with reconstruction. Layer by layer
// in model order, each layer's input Hessian is gathered on the calibration batches with every
// earlier layer already pruned and updated, the layer is pruned to its own target (or N:M) by
// the OBS solver (prune/reconstruction/obs.h), and its surviving weights are rewritten to
// compensate. So it is more than a score: prepare() prunes and updates the weights, and the
// scores it hands the pruner (0 = pruned, 1 + |w| = kept) make the pruner's selection repeat
// the solver's mask. The targets are per layer, as in the paper; with a global scope the pool
// takes the same weights up to rounding (every layer gets the step's sparsity).
//
// Where poda is exact and the paper approximates: H is the exact 2 X X^T / n over every row
// (every token, every im2col patch) of the calibration batches, inverted in double precision
// without sampling; poda's layers have at most a few thousand inputs. What stays an
// approximation is the paper's own: the sequential column order (a pruned weight is
// compensated only by later columns of its row) and the mask chosen per block, not jointly.
#include <cmath>
#include <stdexcept>

#include "prune/criteria/gradients.h"
#include "prune/reconstruction/layer_hessian.h"
#include "prune/reconstruction/obs.h"

namespace poda {
namespace {

// N:M on a Conv2d groups M consecutive input channels at one kernel position (prune/units.h's
// n_m_mask), so the solver sees the columns kernel-position-major: position p = j * in + c
// holds weight column c * k + j. Dense (k = 1) and unstructured keep the natural order.
std::vector<std::size_t> column_order(std::size_t in, std::size_t k, bool n_m) {
  std::vector<std::size_t> order(in * k);
  for (std::size_t c = 0; c < in; ++c)
    for (std::size_t j = 0; j < k; ++j) order[n_m ? j * in + c : c * k + j] = c * k + j;
  return order;
}

Matrix permuted(const Matrix& h, const std::vector<std::size_t>& order) {
  Matrix out(h.rows, h.cols);
  for (std::size_t i = 0; i < h.rows; ++i)
    for (std::size_t j = 0; j < h.cols; ++j) out(i, j) = h(order[i], order[j]);
  return out;
}

class SparseGpt : public PreparedScores {
 public:
  bool supports(Granularity g) const override {
    return g == Granularity::unstructured || g == Granularity::n_m;
  }
  bool can_score(const PruneTarget& t) const override { return hessian_supported(t); }
  std::string scoring_requirement() const override {
    return "a Dense or an ungrouped Conv2d layer";
  }

  void prepare(const std::vector<const PruneTarget*>& targets, CriterionContext& ctx) override {
    scores_.clear();
    for (const PruneTarget* t : targets) {
      prune_layer(*t, ctx);
      if (t->bias) score_bias(*t);
    }
  }

 private:
  void prune_layer(const PruneTarget& t, CriterionContext& ctx) {
    const auto target = ctx.target_sparsity.find(t.name);
    if (target == ctx.target_sparsity.end())
      throw std::logic_error("sparsegpt: no target sparsity for layer '" + t.name + "'");
    const bool n_m = ctx.granularity.kind == Granularity::n_m;
    const std::size_t rows = t.out_units(), in = t.in_units(), k = t.kernel_size();
    const std::vector<std::size_t> order = column_order(in, k, n_m);
    ObsSettings s;
    s.sparsity = target->second;
    if (n_m) s.n = ctx.granularity.n, s.m = ctx.granularity.m, s.segment = in;
    s.block = ctx.reconstruction.block_size;
    s.damp = ctx.reconstruction.damp;

    Parameter& p = *t.weight;
    Matrix w(rows, in * k);
    std::vector<bool> forced(w.v.size(), false);
    const float* value = p.value.data().data();
    const float* mask = p.has_mask() ? p.mask.data().data() : nullptr;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < w.cols; ++c) {
        const std::size_t e = r * w.cols + order[c];
        forced[r * w.cols + c] = mask && mask[e] == 0.0f;
        w(r, c) = forced[r * w.cols + c] ? 0.0 : value[e];
      }
    std::vector<bool> dead;
    const Matrix u = inverse_hessian_factor(
        permuted(layer_hessian(*ctx.model, t, ctx.run_forward, ctx.batches), order), s.damp, dead);
    const std::vector<bool> pruned = obs_prune(w, u, s, forced, dead);
    write_back(t, w, pruned, order);
  }

  // The solved weights into the parameter, the mask ANDed in, the scores the pruner reads.
  void write_back(const PruneTarget& t, const Matrix& w, const std::vector<bool>& pruned,
                  const std::vector<std::size_t>& order) {
    Parameter& p = *t.weight;
    Array mask = p.has_mask() ? Array(p.mask.data()) : Array(xt::ones<float>(p.value.shape()));
    float* value = p.value.data().data();
    float* score = scores_for(t.weight_name, p).data();
    for (std::size_t r = 0; r < w.rows; ++r)
      for (std::size_t c = 0; c < w.cols; ++c) {
        const std::size_t e = r * w.cols + order[c];
        const bool gone = pruned[r * w.cols + c];
        value[e] = gone ? 0.0f : static_cast<float>(w(r, c));
        if (gone) mask.data()[e] = 0.0f;
        score[e] = gone ? 0.0f : 1.0f + std::fabs(value[e]);
      }
    p.set_mask(std::move(mask));
  }
  // A bias sees no input: its magnitude (only used with include_bias).
  void score_bias(const PruneTarget& t) {
    float* s = scores_for(t.bias_name, *t.bias).data();
    const float* b = t.bias->value.data().data();
    for (std::size_t i = 0; i < t.bias->value.size(); ++i) s[i] = std::fabs(b[i]);
  }
};

const CriterionRegistrar sparsegpt_registrar(
    "sparsegpt", [] { return std::make_unique<SparseGpt>(); },
    "OBS reconstruction layer by layer on data batches, updating kept weights "
    "(Frantar & Alistarh 2023); unstructured, n_m; keys prune.sparsegpt: "
    "[block_size: 128], [damp: 0.01]");

}  // namespace
}  // namespace poda
