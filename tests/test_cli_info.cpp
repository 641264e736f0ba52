// `poda info`: the kernel targets compiled, runnable on this CPU and chosen.
#include <doctest/doctest.h>

#include <string>

#include "cli/info.h"
#include "kernels/isa.h"

TEST_CASE("poda info: lists the kernel targets compiled, runnable and the one chosen") {
  using namespace poda;
  const std::string text = poda_info_text();
  CAPTURE(text);
  CHECK(text.find("kernels compiled:  scalar") != std::string::npos);
  std::string runnable;
  for (KernelIsa isa : all_kernel_isas)
    if (kernel_isa_runnable(isa))
      runnable += (runnable.empty() ? "" : " ") + std::string(kernel_isa_name(isa));
  CHECK(text.find("kernels runnable:  " + runnable + "\n") != std::string::npos);
  CHECK(text.find("kernels chosen:    " + std::string(kernel_isa_name(kernel_isa()))) !=
        std::string::npos);
}
