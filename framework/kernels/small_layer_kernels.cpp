// The target table of the small-layer kernels and the calls that run the active target's build
// (the builds: kernels/target_*.cpp).
#include "kernels/small_layer_kernels.h"


namespace poda {

bool conv_few_filters_supports(std::size_t kernel) {
  return kernel == 3 || kernel == 5;
}

const IsaTable<SmallLayerKernels>& small_layer_kernels() {
  static const IsaTable<SmallLayerKernels> table{{
      &kernels::small_layer_scalar,
#if PODA_KERNELS_X86
      &kernels::small_layer_avx2, &kernels::small_layer_avx512
#else
      nullptr, nullptr
#endif
  }};
  return table;
}

void conv_few_filters(const float* w, std::size_t filters, std::size_t c_in, std::size_t k,
                      const float* bias, const float* xp, std::size_t oh, std::size_t ow, float* y,
                      std::size_t y_plane) {
  small_layer_kernels().active().conv_few_filters(w, filters, c_in, k, bias, xp, oh, ow, y,
                                                  y_plane);
}

void matvec_narrow(const float* wt, std::size_t rows, std::size_t cols, const float* bias,
                   const float* x, float* y, bool relu) {
  small_layer_kernels().active().matvec_narrow(wt, rows, cols, bias, x, y, relu);
}

}  // namespace poda
