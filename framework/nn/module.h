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

class Module {
 public:
  virtual ~Module() = default;
  virtual Variable forward(const Variable& x) = 0;
  Variable operator()(const Variable& x) { return forward(x); }

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
};

using ModulePtr = std::shared_ptr<Module>;

}  // namespace poda
