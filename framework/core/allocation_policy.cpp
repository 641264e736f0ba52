// Keeps freed tensor memory in the process instead of handing it back to the kernel.
//
// A training step allocates and frees the same large activation and gradient buffers every
// iteration. With glibc's defaults, buffers above the mmap threshold, and the heap top past
// the trim threshold, go back to the kernel on free, so every step page-faults them in again
// (measured: LeNet-5 training spent ~40% of its time in ReLU and pooling, i.e. in first
// touches of fresh pages). Raising both thresholds makes malloc reuse the memory, as a
// caching allocator would; peak RSS stays the step's high-water mark.
#include <malloc.h>

namespace poda {
namespace {

struct AllocationPolicy {
  AllocationPolicy() {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);  // larger blocks still get their own mapping
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  }
};
const AllocationPolicy policy;

}  // namespace
}  // namespace poda
