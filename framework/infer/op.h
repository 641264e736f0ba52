#pragma once
// One step of an inference plan. Activations live in numbered slots of a Workspace, each
// holding a whole batch in one of two layouts: batch-major (B, sample...) as autograd
// keeps them, or feature-major (features, B) where Dense layers run (a GEMM without
// transposes, and sparse rows vectorised over the batch). The builder inserts transposes
// where the layout changes.
#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace poda {

enum class Layout { batch_major, feature_major };

// Slot 0 is the caller's input (never written: the builder pins it); the others are
// allocated by the plan for its largest batch so far.
struct Workspace {
  std::vector<std::vector<float>> storage;  // slot i: numel(its sample shape) * batch
  std::vector<float*> slots;
  float* slot(int i) { return slots[static_cast<std::size_t>(i)]; }
};

class InferOp {
 public:
  virtual ~InferOp() = default;
  // Sizes the op's own scratch for batches up to `batch`, so run() never allocates.
  virtual void reserve(std::size_t batch) {}
  // Reads slot `in` (and `other` for a sum), writes slot `out` (may be `in` for in-place ops).
  virtual void run(Workspace& ws, std::size_t batch) = 0;
  virtual std::string describe() const = 0;
  // Dense multiply-accumulates per row (Dense and Conv2d, attention; 0 for the rest).
  virtual std::size_t macs() const { return 0; }
  // Weight bytes the op holds on its dense and on its sparse path (0 for parameter-free steps).
  virtual std::size_t bytes_dense() const { return 0; }
  virtual std::size_t bytes_sparse() const { return 0; }

  int in = 0, out = 0, other = -1;
  Shape in_shape, out_shape;  // one sample
  Layout layout = Layout::batch_major;
  // Rows per sample: the op runs on batch * rows rows of in_shape (a transformer's MLP runs on
  // every token of a sample as one row; 1 everywhere else).
  std::size_t rows = 1;
};

}  // namespace poda
