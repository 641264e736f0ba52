// The kernel families' target tables: every target this binary compiles has its own build in
// every fp32 family, so no target silently runs a lower one's (the tests of each family then
// run those builds on every target this CPU can run).
#include <doctest/doctest.h>

#include "kernels/batch_norm_kernels.h"
#include "kernels/conv_rows.h"
#include "kernels/dense_batch_kernels.h"
#include "kernels/direct_kernels.h"
#include "kernels/isa.h"
#include "kernels/shifted_dots.h"
#include "kernels/small_layer_kernels.h"
#include "kernels/sparse_kernels.h"

using namespace poda;

namespace {

template <class Fns>
void check_own_builds(const char* family, const IsaTable<Fns>& table) {
  for (KernelIsa isa : all_kernel_isas) {
    CAPTURE(family);
    CAPTURE(kernel_isa_name(isa));
    CHECK((table.entry[std::size_t(isa)] != nullptr) == kernel_isa_compiled(isa));
  }
}

}  // namespace

TEST_CASE("kernel tables: every compiled target has its own build in every family") {
  check_own_builds("direct", direct_kernels());
  check_own_builds("dense_batch", dense_batch_kernels());
  check_own_builds("sparse", sparse_kernels());
  check_own_builds("small_layer", small_layer_kernels());
  check_own_builds("batch_norm", batch_norm_kernels());
  check_own_builds("conv_rows", conv_rows_kernels());
  check_own_builds("shifted_dots", shifted_dots_kernels());
}
