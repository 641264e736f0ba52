#pragma once
// The transformer patterns of the import: what torch.onnx.export (opset 13) writes for a ViT
// built of plain modules, and what poda's own export writes (interop/onnx_export_transformer):
//   LayerNorm   ReduceMean, Sub, Pow, ReduceMean, Add(eps), Sqrt, Div, Mul(gamma), Add(beta)
//   GELU        Div(sqrt 2), Erf, Add(1), Mul(x), Mul(0.5)
//   to_tokens   Reshape (N, C, H*W) then Transpose(0, 2, 1) after a Conv
//   class token Concat(axis 1) of a constant (1, 1, D) token, expanded to the batch, and x
//   positions   Add of a constant (1, T, D) or (T, D)
//   token pool  Gather(axis 1, index 0) or ReduceMean(axes [1], keepdims 0)
//   attention   three MatMul (+ Add) projections of x, each Reshape (N, T, H, w) and
//               Transposed to heads, MatMul(q, k^T), Mul or Div by the 1/sqrt(w) scale,
//               Softmax(-1), MatMul(., v), Transpose, Reshape (N, T, E), MatMul (+ Add)
// Shape-computing subgraphs (Shape, Gather, Unsqueeze, Concat of a dynamic batch axis) are
// read only where a pattern needs a size. A pattern whose first nodes match but whose rest
// does not is an OnnxError naming the node where it departs.
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "interop/onnx_import_patterns.h"
#include "nn/layer_spec.h"

namespace poda {

struct PatternMatch {
  LayerSpec spec;
  std::string output;               // the tensor the pattern's last node writes
  std::vector<Array> parameters;    // in the order the built layer registers them
  std::vector<std::size_t> entries;  // the nodes reading the pattern's input
};

// The nodes reading `t` other than Shape (whose output is only a size).
std::vector<std::size_t> data_consumers(const OnnxGraphIndex& g, const std::string& t);

// The patterns reading `t`, each with the consumers of `t` it takes. Patterns on tokens (class
// token, positions, token pool, attention) are looked for only when `tokens` is set.
std::vector<PatternMatch> transformer_patterns(const OnnxGraphIndex& g, const std::string& t,
                                               bool tokens, const std::string& source);

}  // namespace poda
