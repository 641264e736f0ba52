#include "nn/layers/dense.h"

#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/sparse_linear.h"
#include "nn/layer_spec.h"

namespace poda {

Dense::Dense(std::size_t in_features, std::size_t out_features, bool bias, Init init, Rng& rng)
    : in_(in_features), out_(out_features) {
  // A zero width would train with empty matrices and divide by zero when pruning.
  if (in_ == 0 || out_ == 0)
    throw std::invalid_argument("Dense: in and out must be at least 1, got in " +
                                std::to_string(in_) + ", out " + std::to_string(out_));
  weight_ = &register_parameter("weight", init_weight({out_, in_}, init, rng), true);
  if (bias) bias_ = &register_parameter("bias", init_bias(out_, in_, init, rng), false);
}

Variable Dense::forward(const Variable& x) {
  if (Variable y = sparse_forward(x); y.defined()) return y;
  return linear(x, weight_->effective(), bias_ ? bias_->effective() : Variable());
}

Variable Dense::sparse_forward(const Variable& x) {
  const Parameter& w = *weight_;
  if (!w.has_mask() || w.fake_quant || sparse_training() == SparseTraining::off ||
      x.data().dimension() != 2 || x.dim(1) != in_ || in_ > max_csr_cols || out_ > max_csr_cols)
    return {};
  if (!pattern_ || pattern_version_ != w.mask_version()) {
    pattern_ = build_sparse_pattern(w.mask.data().data(), out_, in_);
    pattern_version_ = w.mask_version();
  }
  if (pattern_->w.density() > sparse_path_max_density && sparse_training() != SparseTraining::forced)
    return {};
  const Variable bias = bias_ ? bias_->effective() : Variable();
  if (!sparse_linear_chosen(x, w.value, w.mask, *pattern_, bias)) return {};
  return sparse_linear(x, w.value, pattern_, bias);
}

std::size_t Dense::effective_macs(const Shape& input) const {
  return count_nonzero_effective(*weight_);
}

std::string Dense::describe() const {
  return "Dense(" + std::to_string(in_) + " -> " + std::to_string(out_) +
         (bias_ ? "" : ", no bias") + ")";
}

Shape Dense::output_shape(const Shape& input) const {
  if (input.size() != 1 || input[0] != in_)
    throw ShapeError("Dense expects input (" + std::to_string(in_) + ") but gets " +
                     shape_str(input) + (input.size() > 1 ? " (add a flatten layer?)" : ""));
  return {out_};
}

ModulePtr Dense::compacted(const std::vector<std::size_t>& in,
                           const std::vector<std::size_t>& out) const {
  Rng rng(0);  // the initial values are all overwritten
  auto d =
      std::make_shared<Dense>(in.size(), out.size(), bias_ != nullptr, Init::kaiming_uniform, rng);
  gather_effective(*weight_, out, in, in_, 1, d->weight());
  if (bias_) gather_effective(*bias_, out, {0}, 1, 1, *d->bias());
  return d;
}

namespace {
const LayerTypeRegistrar dense_type(
    "dense", {{{"in", KeyKind::count},
               {"out", KeyKind::count},
               {"bias", KeyKind::flag},
               {"init", KeyKind::text}},
              [](const LayerSpec& spec, const Shape& input, BuildContext& ctx) -> ModulePtr {
                // `in` is optional: when given, it must match the incoming shape (checked by Dense).
                const std::size_t in =
                    spec.count_or("in", input.size() == 1 ? input[0] : numel(input));
                const Init init =
                    spec.strings.count("init") ? parse_init(spec.strings.at("init")) : ctx.init;
                return std::make_shared<Dense>(in, spec.count("out"), spec.flag_or("bias", true),
                                               init, ctx.rng);
              },
              "fully connected: out, [in], [bias: true], [init]"});
}  // namespace

}  // namespace poda

// ---- inference lowering (nn/lowering.h) ----
namespace poda {

void Dense::lower(Lowering& to) {
  to.dense(folded_value(*weight_), bias_ ? folded_value(*bias_) : Array());
}

}  // namespace poda
