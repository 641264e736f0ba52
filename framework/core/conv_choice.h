#pragma once
// Direct kernels or im2col + GEMM for a training convolution, chosen by measurement: the
// first time a pass meets a (shape, batch, kernel target, threads) it times both on this
// CPU, on the real inputs into scratch outputs, and keeps the faster for the rest of the
// run. Neither path can then make a layer slower than the other, whatever the CPU (the
// direct kernels win on AVX-512 and may lose on a CPU where the library's GEMM is better).
// conv_choices_text() lists every choice with its times, as an inference plan lists its.
#include <functional>
#include <string>

#include "kernels/conv_geometry.h"

namespace poda {

// The passes that have both paths; the data gradient is a forward convolution of dy.
enum class ConvPass { forward, weight_grad };

// Runs one pass of d on the direct path (true) or the im2col path (false), writing only
// scratch outputs.
using ConvTrial = std::function<void(bool direct)>;

// True when pass of d should run the direct kernels: they apply (conv_direct_applies) and
// were timed faster than im2col + GEMM, by `trial`, the first time this key came up.
bool conv_direct_chosen(ConvPass pass, const ConvDims& d, const ConvTrial& trial);

// One line per choice made so far in this process, in the order they were made.
std::string conv_choices_text();
// Skips the timing and takes the direct kernels wherever they apply (benchmarks compare the
// paths with it and with set_conv_algorithm(ConvAlgorithm::im2col)).
void force_conv_direct(bool on);
// Forgets every choice (tests, and benchmarks that switch the kernel target).
void clear_conv_choices();

}  // namespace poda
