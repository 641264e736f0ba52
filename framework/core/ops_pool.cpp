// Max, average and global average pooling over (B, C, H, W), forward and backward together.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "core/profile.h"
#include "kernels/clones.h"

namespace poda {

namespace {

struct PoolDims {
  std::size_t planes, H, W, OH, OW, kernel, stride, pad;  // planes = B * C
};

PoolDims pool_dims(const char* op, const Variable& x, std::size_t kernel, std::size_t stride,
                   std::size_t padding) {
  if (x.data().dimension() != 4)
    throw std::invalid_argument(std::string(op) + ": expected (B, C, H, W), got " +
                                shape_str(x.shape()));
  PoolDims d{x.dim(0) * x.dim(1), x.dim(2), x.dim(3), 0, 0, kernel, stride, padding};
  d.OH = conv_out_size(d.H, kernel, stride, padding, 1);
  d.OW = conv_out_size(d.W, kernel, stride, padding, 1);
  if (d.OH == 0 || d.OW == 0 || 2 * padding > kernel)
    throw std::invalid_argument(std::string(op) + ": kernel " + std::to_string(kernel) +
                                ", padding " + std::to_string(padding) + " does not fit " +
                                shape_str(x.shape()));
  return d;
}

// The input window [lo, hi) of output position o along one axis, clipped to the input.
inline void window(std::size_t o, std::size_t stride, std::size_t pad, std::size_t kernel,
                   std::size_t in, std::size_t& lo, std::size_t& hi) {
  const long start = static_cast<long>(o * stride) - static_cast<long>(pad);
  lo = static_cast<std::size_t>(std::max(start, 0L));
  hi = std::min(static_cast<std::size_t>(start + static_cast<long>(kernel)), in);
}

// Any window: clipped at the borders; padding never wins the max.
void max_pool_any(const float* px, const PoolDims& d, float* py, std::uint32_t* argmax) {
  for (std::size_t p = 0; p < d.planes; ++p) {
    const float* plane = px + p * d.H * d.W;  // (H, W)
    for (std::size_t oh = 0; oh < d.OH; ++oh) {
      std::size_t h0, h1;
      window(oh, d.stride, d.pad, d.kernel, d.H, h0, h1);
      for (std::size_t ow = 0; ow < d.OW; ++ow) {
        std::size_t w0, w1;
        window(ow, d.stride, d.pad, d.kernel, d.W, w0, w1);
        float best = -std::numeric_limits<float>::infinity();
        std::size_t at = h0 * d.W + w0;
        for (std::size_t ih = h0; ih < h1; ++ih)
          for (std::size_t iw = w0; iw < w1; ++iw)
            if (plane[ih * d.W + iw] > best) {
              best = plane[ih * d.W + iw];
              at = ih * d.W + iw;
            }
        const std::size_t o = (p * d.OH + oh) * d.OW + ow;
        py[o] = best;
        argmax[o] = static_cast<std::uint32_t>(at);
      }
    }
  }
}

// The LeNet/VGG case, 2x2 windows with stride 2: no clipping, two input rows per output row.
PODA_CLONES void max_pool_2x2(const float* px, const PoolDims& d, float* py, std::uint32_t* argmax) {
  for (std::size_t p = 0; p < d.planes; ++p) {
    const float* plane = px + p * d.H * d.W;  // (H, W)
    for (std::size_t oh = 0; oh < d.OH; ++oh) {
      const float* r0 = plane + 2 * oh * d.W;
      const float* r1 = r0 + d.W;
      float* out = py + (p * d.OH + oh) * d.OW;             // (OW)
      std::uint32_t* at = argmax + (p * d.OH + oh) * d.OW;  // (OW)
      for (std::size_t ow = 0; ow < d.OW; ++ow) {
        const std::size_t c = 2 * ow;
        std::size_t best = c;
        float v = r0[c];
        if (r0[c + 1] > v) v = r0[c + 1], best = c + 1;
        if (r1[c] > v) v = r1[c], best = d.W + c;
        if (r1[c + 1] > v) v = r1[c + 1], best = d.W + c + 1;
        out[ow] = v;
        at[ow] = static_cast<std::uint32_t>(2 * oh * d.W + best);
      }
    }
  }
}

}  // namespace

Variable max_pool2d(const Variable& x, std::size_t kernel, std::size_t stride,
                    std::size_t padding) {
  ProfileScope scope(ProfileOp::pool);
  const PoolDims d = pool_dims("max_pool2d", x, kernel, stride, padding);
  const Shape in_shape = x.shape();
  Array y = empty_array({x.dim(0), x.dim(1), d.OH, d.OW});
  // Where each output's maximum came from (index within its plane): the backward pass
  // routes the gradient there without searching again. Not the output, so no cycle.
  std::vector<std::uint32_t> argmax(y.size());
  if (kernel == 2 && stride == 2 && padding == 0) {
    max_pool_2x2(x.data().data(), d, y.data(), argmax.data());
  } else {
    max_pool_any(x.data().data(), d, y.data(), argmax.data());
  }
  return Variable::from_op(
      std::move(y), {x},
      [d, in_shape, argmax = std::move(argmax)](std::vector<Variable>& in, const Array& dy) {
        ProfileScope scope(ProfileOp::pool);
        float beta;
        float* dx = in[0].grad_accumulator(beta);  // (B, C, H, W)
        if (beta == 0.0f) std::fill(dx, dx + d.planes * d.H * d.W, 0.0f);
        const float* pdy = dy.data();
        const std::size_t per_plane = d.OH * d.OW;
        for (std::size_t p = 0; p < d.planes; ++p) {
          float* plane = dx + p * d.H * d.W;
          for (std::size_t k = 0; k < per_plane; ++k)
            plane[argmax[p * per_plane + k]] += pdy[p * per_plane + k];
        }
      });
}

Variable avg_pool2d(const Variable& x, std::size_t kernel, std::size_t stride,
                    std::size_t padding) {
  ProfileScope scope(ProfileOp::pool);
  const PoolDims d = pool_dims("avg_pool2d", x, kernel, stride, padding);
  Array y = empty_array({x.dim(0), x.dim(1), d.OH, d.OW});
  const float inv = 1.0f / static_cast<float>(kernel * kernel);  // padding counts as zeros
  const float* px = x.data().data();
  float* py = y.data();
  for (std::size_t p = 0; p < d.planes; ++p) {
    const float* plane = px + p * d.H * d.W;  // (H, W)
    for (std::size_t oh = 0; oh < d.OH; ++oh) {
      std::size_t h0, h1;
      window(oh, d.stride, d.pad, d.kernel, d.H, h0, h1);
      for (std::size_t ow = 0; ow < d.OW; ++ow) {
        std::size_t w0, w1;
        window(ow, d.stride, d.pad, d.kernel, d.W, w0, w1);
        float acc = 0.0f;
        for (std::size_t ih = h0; ih < h1; ++ih)
          for (std::size_t iw = w0; iw < w1; ++iw) acc += plane[ih * d.W + iw];
        py[(p * d.OH + oh) * d.OW + ow] = acc * inv;
      }
    }
  }
  return Variable::from_op(std::move(y), {x}, [d, inv](std::vector<Variable>& in, const Array& dy) {
    ProfileScope scope(ProfileOp::pool);
    float beta;
    float* dx = in[0].grad_accumulator(beta);  // (B, C, H, W)
    if (beta == 0.0f) std::fill(dx, dx + d.planes * d.H * d.W, 0.0f);
    const float* pdy = dy.data();
    for (std::size_t p = 0; p < d.planes; ++p) {
      float* plane = dx + p * d.H * d.W;
      for (std::size_t oh = 0; oh < d.OH; ++oh) {
        std::size_t h0, h1;
        window(oh, d.stride, d.pad, d.kernel, d.H, h0, h1);
        for (std::size_t ow = 0; ow < d.OW; ++ow) {
          std::size_t w0, w1;
          window(ow, d.stride, d.pad, d.kernel, d.W, w0, w1);
          const float g = pdy[(p * d.OH + oh) * d.OW + ow] * inv;
          for (std::size_t ih = h0; ih < h1; ++ih)
            for (std::size_t iw = w0; iw < w1; ++iw) plane[ih * d.W + iw] += g;
        }
      }
    }
  });
}

Variable global_avg_pool(const Variable& x) {
  if (x.data().dimension() != 4)
    throw std::invalid_argument("global_avg_pool: expected (B, C, H, W), got " +
                                shape_str(x.shape()));
  ProfileScope scope(ProfileOp::pool);
  const std::size_t planes = x.dim(0) * x.dim(1), HW = x.dim(2) * x.dim(3);
  Array y = empty_array({x.dim(0), x.dim(1)});
  const float inv = 1.0f / static_cast<float>(HW);
  const float* px = x.data().data();
  float* py = y.data();
  for (std::size_t p = 0; p < planes; ++p) {
    float acc = 0.0f;
    for (std::size_t k = 0; k < HW; ++k) acc += px[p * HW + k];
    py[p] = acc * inv;
  }
  return Variable::from_op(std::move(y), {x},
                           [planes, HW, inv](std::vector<Variable>& in, const Array& dy) {
                             ProfileScope scope(ProfileOp::pool);
                             float beta;
                             float* dx = in[0].grad_accumulator(beta);  // (B, C, H, W)
                             const float* pdy = dy.data();
                             for (std::size_t p = 0; p < planes; ++p) {
                               const float g = pdy[p] * inv;
                               float* dst = dx + p * HW;
                               if (beta == 0.0f) {
                                 std::fill(dst, dst + HW, g);
                               } else {
                                 for (std::size_t k = 0; k < HW; ++k) dst[k] += g;
                               }
                             }
                           });
}

}  // namespace poda
