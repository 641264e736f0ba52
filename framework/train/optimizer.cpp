#include "train/optimizer.h"

#include <cmath>

namespace poda {

namespace {
// Ensures per-parameter state buffers exist, zero-initialised.
void ensure_state(std::vector<Array>& state, const std::vector<Parameter*>& params) {
  if (state.size() == params.size()) return;
  state.clear();
  for (Parameter* p : params) state.push_back(zeros_array(p->value.shape()));
}

// The kept entries of a parameter whose mask keeps few enough that visiting only them beats
// the vectorised pass over every entry (bench_sparse_train times both), else null. A kept
// entry's update is the same either way; a pruned entry's state is then left as it was
// instead of decaying, which no weight reads while the mask keeps it pruned.
const std::vector<std::uint32_t>* sparse_update_indices(const Parameter& p) {
  if (!p.has_mask()) return nullptr;
  const std::vector<std::uint32_t>& live = p.live_indices();
  return double(live.size()) <= sparse_update_max_density * double(p.value.size()) ? &live
                                                                                   : nullptr;
}

// Runs update(i, keep) over the kept entries only, or over all with the mask's 0/1.
template <class Update>
void for_entries(const Parameter& p, Update update) {
  if (const std::vector<std::uint32_t>* live = sparse_update_indices(p)) {
    for (std::uint32_t i : *live) update(i, 1.0f);
    return;
  }
  const float* m = p.has_mask() ? p.mask.data().data() : nullptr;
  const std::size_t n = p.value.size();
  if (m)
    for (std::size_t i = 0; i < n; ++i) update(i, m[i]);
  else
    for (std::size_t i = 0; i < n; ++i) update(i, 1.0f);
}
}  // namespace

void Optimizer::forget_pruned_state(std::size_t k, std::initializer_list<Array*> state) {
  if (mask_versions_.size() != params_.size()) {
    mask_versions_.clear();
    for (const Parameter* p : params_) mask_versions_.push_back(p->mask_version());
  }
  const Parameter& p = *params_[k];
  if (mask_versions_[k] == p.mask_version()) return;
  mask_versions_[k] = p.mask_version();
  for (Array* s : state) p.mask_buffer(*s);
}

void Optimizer::zero_grad() {
  for (Parameter* p : params_) p->value.zero_grad();
}

Sgd::Sgd(std::vector<Parameter*> params, float lr, SgdSettings settings)
    : Optimizer(std::move(params), lr), settings_(settings) {}

void Sgd::step() {
  ensure_state(velocity_, params_);
  const float mu = settings_.momentum, wd = settings_.weight_decay, lr = lr_;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    Parameter& p = *params_[k];
    if (!p.value.has_grad()) continue;
    float* w = p.value.data().data();
    const float* g = p.value.grad().data();
    forget_pruned_state(k, {&velocity_[k]});
    float* v = velocity_[k].data();
    const bool nesterov = settings_.nesterov;
    // PyTorch's SGD: d = g + wd*w; v = mu*v + d; step = nesterov ? d + mu*v : v
    for_entries(p, [=](std::size_t i, float keep) {
      const float d = (g[i] + wd * w[i]) * keep;
      const float vi = mu * v[i] + d;
      v[i] = vi;
      const float update = nesterov ? d + mu * vi : vi;
      w[i] = (w[i] - lr * update) * keep;
    });
  }
}

Adam::Adam(std::vector<Parameter*> params, float lr, AdamSettings settings)
    : Optimizer(std::move(params), lr), settings_(settings) {}

void Adam::step() {
  ensure_state(m_, params_);
  ensure_state(v_, params_);
  ++steps_;
  const float b1 = settings_.beta1, b2 = settings_.beta2, eps = settings_.eps;
  const float wd = settings_.weight_decay;
  const float bias1 = 1.0f - std::pow(b1, static_cast<float>(steps_));
  const float bias2 = 1.0f - std::pow(b2, static_cast<float>(steps_));
  const float step_size = lr_ / bias1;
  const float inv_sqrt_bias2 = 1.0f / std::sqrt(bias2);
  for (std::size_t k = 0; k < params_.size(); ++k) {
    Parameter& p = *params_[k];
    if (!p.value.has_grad()) continue;
    float* w = p.value.data().data();
    const float* g = p.value.grad().data();
    forget_pruned_state(k, {&m_[k], &v_[k]});
    float* m = m_[k].data();
    float* v = v_[k].data();
    const bool decoupled = settings_.decoupled;
    const float lr = lr_;
    for_entries(p, [=](std::size_t i, float keep) {
      float wi = w[i];
      float gi = g[i];
      if (decoupled)
        wi -= lr * wd * wi;
      else
        gi += wd * wi;
      gi *= keep;
      m[i] = b1 * m[i] + (1.0f - b1) * gi;
      v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
      const float denom = std::sqrt(v[i]) * inv_sqrt_bias2 + eps;
      w[i] = (wi - step_size * m[i] / denom) * keep;
    });
  }
}

}  // namespace poda
