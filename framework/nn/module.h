#pragma once
// Modules register parameters, buffers and submodules by name (PyTorch C++ frontend);
// named_parameters() yields dotted names ("fc1.weight") that optimizers, checkpoints and
// pruning masks all use.
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/variable.h"
#include "nn/parameter.h"

namespace poda {

class Lowering;

struct ShapeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class Module;

// Sees every module's input and output while it is installed (Module::set_observer), e.g. to
// gather activation statistics of calibration batches for pruning criteria.
class ForwardObserver {
 public:
  virtual ~ForwardObserver() = default;
  virtual void observe(Module& module, const Variable& input, const Variable& output) = 0;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Variable forward(const Variable& x) = 0;
  // The one entry point containers call their children through: forward() plus the observer,
  // when one is installed (a pointer test otherwise).
  Variable operator()(const Variable& x) {
    Variable y = forward(x);
    if (observer_) observer_->observe(*this, x, y);
    return y;
  }
  // Installs `observer` (nullptr removes it) on this module and every module below it.
  void set_observer(ForwardObserver* observer);
  bool observed() const { return observer_ != nullptr; }
  // forward() of this layer and of `next` in one pass, when the layer knows a fused kernel
  // for the pair (BatchNorm then ReLU); an undefined Variable otherwise.
  virtual Variable forward_fused_with(const Variable& x, const Module& next) { return {}; }

  // "Dense", "Conv2d", ... and a one-line description for summaries.
  virtual std::string type_name() const = 0;
  virtual std::string describe() const { return type_name(); }
  // Shape inference for one sample's shape without the batch axis, e.g. (1, 28, 28) -> (784).
  // Throws ShapeError naming the layer and both shapes when the input does not fit.
  virtual Shape output_shape(const Shape& input) const = 0;
  // Multiply-accumulates for one sample of this shape, dense (masks ignored).
  virtual std::size_t macs(const Shape& input) const { return 0; }
  // The same, counting only weights that are non-zero after masking (what a sparse kernel
  // or a compacted layer would execute).
  virtual std::size_t effective_macs(const Shape& input) const { return macs(input); }

  // ---- Pruning and compaction traits (prune/target.cpp, measure/compact.cpp) ----
  // How channels (features for per-sample rank 1) flow through the layer. The default is an
  // opaque layer: zero tracing stops at it and compaction refuses it.
  enum class ChannelFlow {
    opaque,       // nothing known (Sigmoid maps 0 to 0.5; a residual block mixes in its input)
    keeps_zeros,  // a zero channel stays a zero channel at the same index (ReLU, pooling, ...)
    flattens,     // (C, H, W) -> (C*H*W): channel c becomes features [c*H*W, (c+1)*H*W)
    normalizes,   // per-channel affine (BatchNorm): its channel goes with the unit before it
    transforms,   // reads channels and writes output units through a weight (Dense, Conv2d)
    attends,      // multi-head attention: every child but the last (q, k, v) reads the channels
                  // and writes heads of head_width() rows each; the last (out) reads the heads
                  // (head_width() features each) and writes the output. A head is one unit.
  };
  virtual ChannelFlow channel_flow() const { return ChannelFlow::opaque; }
  // Output unit o of a `transforms` layer reads input group o / (out / groups) (Conv2d).
  virtual std::size_t groups() const { return 1; }
  // Rows of each projection that make one head of an `attends` layer.
  virtual std::size_t head_width() const { return 1; }
  // Children run one after another on one input (Sequential): zeros are traced along them.
  virtual bool chains_children() const { return false; }
  // Children all read the block's input and their outputs are added (Residual); with
  // adds_input() the input itself is one more summand (an identity shortcut). The channels of
  // every summand are then one channel space: removing one removes it from all of them.
  virtual bool sums_children() const { return false; }
  virtual bool adds_input() const { return false; }
  // A copy of this container around other children (same names and order), so compaction
  // can rebuild a block around compacted children; nullptr when the container cannot.
  virtual std::shared_ptr<Module> with_children(
      const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children) const {
    return nullptr;
  }
  // A copy keeping input channels/features `in` and output units `out` (indices into this
  // layer's, ascending) with their effective (masked) values, or nullptr when the layer
  // cannot be compacted. `transforms` layers cut both; `normalizes` layers get in == out.
  virtual std::shared_ptr<Module> compacted(const std::vector<std::size_t>& in,
                                            const std::vector<std::size_t>& out) const {
    return nullptr;
  }
  // An `attends` layer keeping input channels `in`, heads `heads` and output units `out`.
  virtual std::shared_ptr<Module> compacted_heads(const std::vector<std::size_t>& in,
                                                  const std::vector<std::size_t>& heads,
                                                  const std::vector<std::size_t>& out) const {
    return nullptr;
  }
  // An independent copy of an opaque layer (LayerNorm, a class token), which compaction may
  // cross when every channel entering it stays; nullptr when it cannot be crossed (Sigmoid,
  // which a pruned channel would enter as 0 and leave as 0.5).
  virtual std::shared_ptr<Module> copied() const { return nullptr; }
  // ---- end of pruning and compaction traits ----
  // ---- inference lowering (nn/lowering.h) ----
  // Describes this layer, masks folded and in evaluation mode, to an inference-plan builder.
  // The default throws std::invalid_argument naming the type (a layer only autograd runs).
  virtual void lower(Lowering& to);

  std::vector<std::pair<std::string, Parameter*>> named_parameters(const std::string& prefix = "");
  std::vector<std::pair<std::string, Array*>> named_buffers(const std::string& prefix = "");
  // Every module below this one (not itself), depth first, in registration order.
  std::vector<std::pair<std::string, Module*>> named_modules(const std::string& prefix = "");
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }
  std::vector<Parameter*> parameters();
  std::size_t parameter_count();

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();

 protected:
  Parameter& register_parameter(const std::string& name, Array init, bool prunable);
  Array& register_buffer(const std::string& name, Array init);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    children_.emplace_back(name, module);
    return module;
  }

 private:
  std::vector<std::pair<std::string, std::unique_ptr<Parameter>>> params_;
  std::vector<std::pair<std::string, std::unique_ptr<Array>>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  ForwardObserver* observer_ = nullptr;
};

using ModulePtr = std::shared_ptr<Module>;

}  // namespace poda
