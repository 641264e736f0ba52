#pragma once
// An allocator that places buffers on cache-line (64-byte) boundaries. The vector kernels
// load 64 bytes at a time: from a buffer malloc placed 16 bytes past a line (as it does for
// the large blocks it maps), every load of a streamed weight row spans two lines, and
// two copies of one model's weights ran the same kernels at different speeds.
#include <cstddef>
#include <new>

namespace poda {

template <class T, std::size_t Align = 64>
struct AlignedAllocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = AlignedAllocator<U, Align>;
  };
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U, Align>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(Align)));
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(Align)); }
  template <class U>
  bool operator==(const AlignedAllocator<U, Align>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const AlignedAllocator<U, Align>&) const {
    return false;
  }
};

}  // namespace poda
