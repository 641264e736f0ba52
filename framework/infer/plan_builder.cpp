// build_plan(): the Lowering (nn/lowering.h) that turns a model's description of itself into
// an InferencePlan. It tracks the current activation (slot, sample shape, layout), inserts
// transposes where Dense layers (feature-major) meet the rest (batch-major), folds a
// channel affine, a ReLU and a 2x2 max pooling into the Dense/Conv2d they directly follow,
// and never writes a slot that a residual block still needs.
#include <set>
#include <stdexcept>

#include "core/ops.h"
#include "infer/int8_ops.h"
#include "infer/plan.h"
#include "infer/simple_ops.h"
#include "infer/transformer_ops.h"

namespace poda {
namespace {

class PlanBuilder : public Lowering {
 public:
  PlanBuilder(const Shape& input, const Int8Inputs& int8) : shape_(input), int8_(int8) {
    slot_numel_.push_back(numel(input));  // slot 0: the caller's input
    pinned_.insert(0);
  }

  void dense(Array weight, Array bias) override {
    const auto grid = int8_.find(layer_name());
    to_layout(grid == int8_.end() ? Layout::feature_major : Layout::batch_major);
    if (weight.dimension() != 2 || weight.shape()[1] != numel(shape_))
      throw ShapeError("layer '" + layer_name() + "': Dense weight " +
                       shape_str(to_shape(weight.shape())) + " does not fit input " +
                       shape_str(shape_));
    if (grid != int8_.end())
      emit_linear(std::make_unique<Int8DenseOp>(layer_name(), std::move(weight), std::move(bias),
                                                grid->second));
    else
      emit_linear(std::make_unique<DenseOp>(layer_name(), std::move(weight), std::move(bias)));
  }

  void conv2d(Array weight, Array bias, const ConvGeometry& g) override {
    to_layout(Layout::batch_major);
    const auto grid = int8_.find(layer_name());
    if (grid != int8_.end() && g.groups == 1)
      emit_linear(std::make_unique<Int8ConvOp>(layer_name(), std::move(weight), std::move(bias), g,
                                               shape_, grid->second));
    else
      emit_linear(
          std::make_unique<ConvOp>(layer_name(), std::move(weight), std::move(bias), g, shape_));
  }

  void channel_affine(Array scale, Array shift) override {
    if (pending_ && pending_->out_shape[0] == scale.size()) {
      pending_->fold_affine(scale, shift);
      return;
    }
    auto op = std::make_unique<ChannelAffineOp>(std::vector<float>(scale.begin(), scale.end()),
                                                std::vector<float>(shift.begin(), shift.end()));
    op->layout = layout_;
    emit(std::move(op), true);
  }

  void relu() override {
    if (pending_ && pending_->fuse_relu()) {  // the layer's epilogue applies it
      pending_ = nullptr;                     // a BatchNorm after the ReLU cannot fold
      return;
    }
    activation("ReLU", &ActivationOp::relu);
  }
  void tanh() override { activation("Tanh", &ActivationOp::tanh); }
  void sigmoid() override { activation("Sigmoid", &ActivationOp::sigmoid); }

  void max_pool2d(std::size_t k, std::size_t s, std::size_t p) override { pool(true, k, s, p); }
  void avg_pool2d(std::size_t k, std::size_t s, std::size_t p) override { pool(false, k, s, p); }

  void global_avg_pool() override {
    to_layout(Layout::batch_major);
    auto op = std::make_unique<GlobalAvgPoolOp>();
    op->out_shape = {shape_.at(0)};
    emit(std::move(op), false);
  }

  void flatten() override {
    shape_ = {numel(shape_)};  // the same memory in either layout
    pending_ = producer_ = nullptr;
  }

  void residual_begin() override {
    residuals_.push_back({slot_, shape_, layout_, -1, {}, layout_});
    pinned_.insert(slot_);
    pending_ = producer_ = nullptr;
  }

  void residual_shortcut() override {
    Residual& r = residuals_.back();
    r.body_slot = slot_;
    r.body_shape = shape_;
    r.body_layout = layout_;
    pinned_.insert(slot_);
    slot_ = r.input_slot;
    shape_ = r.input_shape;
    layout_ = r.input_layout;
    pending_ = producer_ = nullptr;
  }

  void residual_end() override;

  void layer_norm(Array gamma, Array beta, float eps) override {
    to_layout(Layout::batch_major);
    emit(std::make_unique<LayerNormOp>(std::move(gamma), std::move(beta), eps), true);
  }
  void gelu() override { activation("GELU", &gelu_activation); }
  void to_tokens() override {
    to_layout(Layout::batch_major);
    auto op = std::make_unique<ToTokensOp>();
    op->out_shape = {numel(shape_) / shape_.at(0), shape_.at(0)};
    emit(std::move(op), false);
  }
  void prepend_token(Array token) override {
    to_layout(Layout::batch_major);
    auto op = std::make_unique<PrependTokenOp>(std::move(token));
    op->out_shape = {shape_.at(0) + 1, shape_.at(1)};
    emit(std::move(op), false);
  }
  void add_positions(Array position) override {
    to_layout(Layout::batch_major);
    emit(std::make_unique<AddPositionsOp>(std::move(position)), true);
  }
  void token_pool(bool mean) override {
    to_layout(Layout::batch_major);
    auto op = std::make_unique<TokenPoolOp>(mean);
    op->out_shape = {shape_.at(1)};
    emit(std::move(op), false);
  }
  void attention(AttentionWeights weights) override {
    to_layout(Layout::batch_major);
    emit(std::make_unique<AttentionOp>(layer_name(), std::move(weights)), false);
  }
  void tokenwise_begin() override;
  void tokenwise_end() override;

  std::unique_ptr<InferencePlan> finish(const Shape& input, Dispatch dispatch);

 private:
  struct Residual {
    int input_slot;
    Shape input_shape;
    Layout input_layout;
    int body_slot;
    Shape body_shape;
    Layout body_layout;
  };

  // Appends op reading the current activation; in_place ops overwrite it unless pinned.
  void emit(std::unique_ptr<InferOp> op, bool in_place) {
    op->in = slot_;
    op->in_shape = shape_;
    op->rows = rows_;
    if (op->out_shape.empty()) op->out_shape = shape_;
    if (in_place && !pinned_.count(slot_)) {
      op->out = slot_;
    } else {
      op->out = static_cast<int>(slot_numel_.size());
      slot_numel_.push_back(numel(op->out_shape) * rows_);
    }
    slot_ = op->out;
    shape_ = op->out_shape;
    layout_ = op->layout;
    pending_ = producer_ = nullptr;
    ops_.push_back(std::move(op));
  }

  // A Dense/Conv2d: a following channel affine folds into it.
  void emit_linear(std::unique_ptr<LinearOp> op) {
    LinearOp* linear = op.get();
    emit(std::move(op), false);
    pending_ = producer_ = linear;
  }

  void activation(const std::string& name, ActivationOp::Fn fn) {
    auto op = std::make_unique<ActivationOp>(name, fn);
    op->layout = layout_;
    emit(std::move(op), true);
  }

  void pool(bool max, std::size_t kernel, std::size_t stride, std::size_t padding) {
    const bool pool2x2 = max && kernel == 2 && stride == 2 && padding == 0;
    if (pool2x2 && producer_ && producer_->fuse_max_pool2x2()) {  // in the layer's epilogue
      shape_ = producer_->out_shape;
      pending_ = producer_ = nullptr;
      return;
    }
    to_layout(Layout::batch_major);
    if (shape_.size() != 3)
      throw ShapeError("layer '" + layer_name() + "': pooling needs (C, H, W), not " +
                       shape_str(shape_));
    auto op = std::make_unique<Pool2dOp>(max, kernel, stride, padding);
    op->out_shape = {shape_[0], conv_out_size(shape_[1], kernel, stride, padding, 1),
                     conv_out_size(shape_[2], kernel, stride, padding, 1)};
    emit(std::move(op), false);
  }

  void to_layout(Layout target) {
    if (layout_ == target) return;
    auto op = std::make_unique<TransposeOp>();
    op->layout = target;
    emit(std::move(op), false);
  }

  std::vector<std::unique_ptr<InferOp>> ops_;
  std::vector<std::size_t> slot_numel_;
  std::set<int> pinned_;
  std::vector<Residual> residuals_;
  int slot_ = 0;
  Shape shape_;
  Layout layout_ = Layout::batch_major;
  std::size_t rows_ = 1;          // rows per sample: the tokens, between tokenwise_begin and _end
  LinearOp* pending_ = nullptr;   // the Dense/Conv2d whose output is the current activation
  LinearOp* producer_ = nullptr;  // the same, or with a fused ReLU after it
  const Int8Inputs& int8_;        // layers run in int8, with their input grids
};

void PlanBuilder::residual_end() {
  Residual r = residuals_.back();
  residuals_.pop_back();
  if (shape_ != r.body_shape)
    throw ShapeError("residual block '" + layer_name() + "': body gives " +
                     shape_str(r.body_shape) + ", shortcut " + shape_str(shape_));
  to_layout(r.body_layout);
  auto op = std::make_unique<AddOp>();
  op->other = r.body_slot;
  op->layout = layout_;
  emit(std::move(op), false);
}

void PlanBuilder::tokenwise_begin() {
  if (rows_ != 1 || shape_.size() != 2)
    throw ShapeError("layer '" + layer_name() + "': a tokenwise block needs tokens (T, D), not " +
                     shape_str(shape_) + (rows_ != 1 ? " inside another" : ""));
  to_layout(Layout::batch_major);  // (B, T, D) is (B*T, D): each token a row
  rows_ = shape_[0];
  shape_ = {shape_[1]};
  pending_ = producer_ = nullptr;
}

void PlanBuilder::tokenwise_end() {
  to_layout(Layout::batch_major);
  shape_ = {rows_, numel(shape_)};
  rows_ = 1;
  pending_ = producer_ = nullptr;
}

std::unique_ptr<InferencePlan> PlanBuilder::finish(const Shape& input, Dispatch dispatch) {
  to_layout(Layout::batch_major);
  for (auto& op : ops_)
    if (auto* linear = dynamic_cast<LinearOp*>(op.get())) linear->finalise();
  return std::make_unique<InferencePlan>(std::move(ops_), std::move(slot_numel_), slot_, input,
                                         shape_, dispatch);
}

}  // namespace

std::unique_ptr<InferencePlan> build_plan(Module& model, const Shape& input_shape,
                                          Dispatch dispatch) {
  return build_plan(model, input_shape, dispatch, Int8Inputs{});
}

std::unique_ptr<InferencePlan> build_plan(Module& model, const Shape& input_shape,
                                          Dispatch dispatch, const Int8Inputs& int8) {
  model.output_shape(input_shape);  // a ShapeError naming the layer, before any lowering
  PlanBuilder builder(input_shape, int8);
  model.lower(builder);
  return builder.finish(input_shape, dispatch);
}

}  // namespace poda
