#include "prune/reconstruction/layer_hessian.h"

#include <stdexcept>

#include "nn/layers/conv2d.h"

namespace poda {

namespace {

// Sums x x^T over rows x (lower triangle; mirrored at the end).
struct HessianSum {
  Matrix h;
  std::size_t rows = 0;

  explicit HessianSum(std::size_t n) : h(n, n) {}
  void add_row(const double* x) {
    const std::size_t n = h.rows;
    for (std::size_t i = 0; i < n; ++i) {
      const double xi = x[i];
      if (xi == 0.0) continue;  // ReLU outputs and image borders: many zeros
      double* hi = &h.v[i * n];
      for (std::size_t j = 0; j <= i; ++j) hi[j] += xi * x[j];
    }
    ++rows;
  }
  Matrix finish() {
    const double scale = rows ? 2.0 / static_cast<double>(rows) : 0.0;
    for (std::size_t i = 0; i < h.rows; ++i)
      for (std::size_t j = 0; j <= i; ++j) h(i, j) = h(j, i) = h(i, j) * scale;
    return h;
  }
};

void add_dense_input(const Array& x, HessianSum& sum) {
  const std::size_t n = sum.h.rows;
  if (x.size() % n != 0) throw std::invalid_argument("a Dense input does not match its weight");
  std::vector<double> row(n);
  const float* d = x.data();
  for (std::size_t r = 0; r < x.size() / n; ++r) {
    for (std::size_t i = 0; i < n; ++i) row[i] = d[r * n + i];
    sum.add_row(row.data());
  }
}

// x (B, C, H, W): one im2col patch per output position, zero outside the padded image.
void add_conv_input(const Array& x, const Conv2dSettings& c, HessianSum& sum) {
  const std::size_t B = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const std::size_t k = c.kernel, span = c.dilation * (k - 1) + 1;
  const std::size_t oh = (H + 2 * c.padding - span) / c.stride + 1;
  const std::size_t ow = (W + 2 * c.padding - span) / c.stride + 1;
  std::vector<double> patch(C * k * k);
  const float* d = x.data();
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t py = 0; py < oh; ++py)
      for (std::size_t px = 0; px < ow; ++px) {
        for (std::size_t ch = 0; ch < C; ++ch)
          for (std::size_t ky = 0; ky < k; ++ky)
            for (std::size_t kx = 0; kx < k; ++kx) {
              const long y = long(py * c.stride + ky * c.dilation) - long(c.padding);
              const long xx = long(px * c.stride + kx * c.dilation) - long(c.padding);
              const bool inside = y >= 0 && xx >= 0 && y < long(H) && xx < long(W);
              patch[(ch * k + ky) * k + kx] =
                  inside ? d[((b * C + ch) * H + std::size_t(y)) * W + std::size_t(xx)] : 0.0;
            }
        sum.add_row(patch.data());
      }
}

class InputObserver : public ForwardObserver {
 public:
  InputObserver(const PruneTarget& t, HessianSum& sum) : t_(t), sum_(sum) {}
  void observe(Module& m, const Variable& input, const Variable&) override {
    if (&m != t_.layer) return;
    if (const auto* conv = dynamic_cast<const Conv2d*>(t_.layer))
      add_conv_input(input.data(), conv->settings(), sum_);
    else
      add_dense_input(input.data(), sum_);
  }

 private:
  const PruneTarget& t_;
  HessianSum& sum_;
};

}  // namespace

bool hessian_supported(const PruneTarget& t) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(t.layer)) return conv->settings().groups == 1;
  return t.weight->value.shape().size() == 2;
}

Matrix layer_hessian(Module& model, const PruneTarget& t, const ForwardFn& run_forward,
                     int batches) {
  if (!run_forward)
    throw std::invalid_argument("criterion 'sparsegpt' needs forward passes on data batches");
  HessianSum sum(t.weight->value.size() / t.out_units());
  InputObserver observer(t, sum);
  observe_forward_passes(model, observer, run_forward, batches);
  if (sum.rows == 0)
    throw std::invalid_argument("criterion 'sparsegpt': layer '" + t.name +
                                "' saw no input in the calibration batches");
  return sum.finish();
}

}  // namespace poda
