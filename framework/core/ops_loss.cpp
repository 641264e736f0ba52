#include <cmath>
#include <stdexcept>

#include "core/ops.h"

namespace poda {

namespace {
// Softmax of one row, computed stably; returns log(sum(exp(row - max))) + max.
float softmax_row(const float* row, std::size_t C, float* probs) {
  float max_v = row[0];
  for (std::size_t c = 1; c < C; ++c) max_v = std::max(max_v, row[c]);
  float total = 0.0f;
  for (std::size_t c = 0; c < C; ++c) {
    probs[c] = std::exp(row[c] - max_v);
    total += probs[c];
  }
  const float inv = 1.0f / total;
  for (std::size_t c = 0; c < C; ++c) probs[c] *= inv;
  return std::log(total) + max_v;
}
}  // namespace

Variable cross_entropy(const Variable& logits, const std::vector<int>& labels) {
  if (logits.data().dimension() != 2 || logits.dim(0) != labels.size())
    throw std::invalid_argument("cross_entropy: logits " + shape_str(logits.shape()) + " for " +
                                std::to_string(labels.size()) + " labels");
  const std::size_t B = logits.dim(0), C = logits.dim(1);
  for (int y : labels)
    if (y < 0 || static_cast<std::size_t>(y) >= C)
      throw std::invalid_argument("cross_entropy: label " + std::to_string(y) + " outside [0, " +
                                  std::to_string(C) + ")");
  // loss = mean_b( logsumexp(z_b) - z_b[y_b] )
  std::vector<float> probs(C);
  double total = 0.0;
  const float* pz = logits.data().data();
  for (std::size_t b = 0; b < B; ++b) {
    const float lse = softmax_row(pz + b * C, C, probs.data());
    total += lse - pz[b * C + labels[b]];
  }
  Array out = empty_array({1});
  out(0) = static_cast<float>(total / static_cast<double>(B));
  return Variable::from_op(std::move(out), {logits},
                           [labels, B, C](std::vector<Variable>& in, const Array& d) {
                             // dz (B, C) = (softmax(z) - onehot(y)) * dout / B
                             Array dz = empty_array({B, C});
                             const float* pz = in[0].data().data();
                             float* pdz = dz.data();
                             const float factor = d(0) / static_cast<float>(B);
                             for (std::size_t b = 0; b < B; ++b) {
                               softmax_row(pz + b * C, C, pdz + b * C);
                               pdz[b * C + labels[b]] -= 1.0f;
                               for (std::size_t c = 0; c < C; ++c) pdz[b * C + c] *= factor;
                             }
                             in[0].add_grad(std::move(dz));
                           });
}

}  // namespace poda
