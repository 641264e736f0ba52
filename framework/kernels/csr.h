#pragma once
// The sparse weight format of the inference path: CSR with 16-bit column indices. A row is
// an output unit (a Dense neuron, a Conv filter over its C_in/groups * k * k inputs); values
// are fp32. 16-bit columns halve the index traffic of the kernels (a row of LeNet-300-100's
// fc1 reads 78 values and 78 indices at 90% sparsity) and widen to 32 bits in one AVX-512
// instruction; layers with more than 65,536 columns stay dense.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace poda {

// A batch-1 layout of the same non-zeros (add_matvec_slices): windows. Rows in slices of
// `groups` registers of `lanes` rows (rows r0 + g * lanes + l, lane l of group g); each slot
// has its own window of block_cols columns, starting at the smallest column its slice has
// left (moved back to cols - block_cols at the right edge, so its inputs load without a
// mask), and takes each row's next entry if it lies in the window; shorter rows are padded
// with zero values. A non-zero's input is then looked up by a permute of the window's inputs
// instead of a gather (gathers measured slower than scalar loads on Zen 3 and Zen 5), and one
// load of a window serves `groups` registers of rows (on random 90% sparse rows the lanes of
// four groups fill 37% against 49% for one, but each load serves more entries). Windows that
// follow the entries leave less padding than a fixed grid of column blocks (lanes 49% against
// 37% full at 90% sparsity, 36% against 28% at 95%; the grid was removed).
// Each entry's in-window index is stored in its value's lowest index_bits = log2(block_cols)
// mantissa bits (the weight rounded to the nearest float with those bits, a relative change of
// at most 2^-21): the kernel loads one register per slot for both, and a permute reads only
// those bits of its index lanes. Slots cost about the same whatever their fill and the loads
// set their pace (bench_sparse_matvec), so one load fewer per slot is the cheapest slot.
// Padding lanes stay +0 (index 0).
struct MatvecSlices {
  struct Block {
    std::uint32_t col0, slots;  // first column; slots of `lanes` entries
  };
  std::size_t lanes = 0, block_cols = 0;
  std::size_t groups = 1;  // windows: registers of `lanes` rows a slot serves
  bool windows = false;  // each slot its own window (blocks: runs of slots with one window)
  int index_bits = 0;    // > 0: val's lowest index_bits bits hold idx (windows only)
  std::vector<std::uint32_t> slice_ptr;  // (slices + 1): slice s holds blocks [ptr[s], ptr[s+1])
  std::vector<Block> blocks;
  std::vector<std::uint8_t> idx;  // (total slots, groups * lanes): column - col0
  std::vector<float> val;         // (total slots, groups * lanes): 0 in padding; idx in its
                                  // low bits when index_bits > 0
  // Each slot's block's col0, and each slice's first slot: a kernel can walk a slice's slots
  // in one loop, with no branch on how many slots a block has.
  std::vector<std::uint16_t> slot_col0;    // (total slots)
  std::vector<std::uint32_t> slice_slots;  // (slices + 1)
  bool empty() const { return slice_ptr.empty(); }
};

struct CsrMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int32_t> row_ptr;  // (rows + 1): row r holds entries [row_ptr[r], row_ptr[r+1])
  std::vector<std::uint16_t> col;     // (nnz)
  std::vector<float> val;             // (nnz)
  // Empty unless add_matvec_slices() built them: windows in slices of 4 groups, 8 x 8 for the
  // AVX2 kernel and 16 x 16 for the AVX-512 one (vpermps over one register).
  MatvecSlices slices8, slices16;

  std::size_t nnz() const { return val.size(); }
  double density() const { return rows && cols ? double(nnz()) / double(rows * cols) : 0.0; }
  // What the format stores: values, column indices and row pointers (the slices are a
  // kernel's working copy, rebuilt from these).
  std::size_t bytes() const {
    return val.size() * sizeof(float) + col.size() * sizeof(std::uint16_t) +
           row_ptr.size() * sizeof(std::int32_t);
  }
};

constexpr std::size_t max_csr_cols = 65536;

// The non-zeros of a row-major dense matrix w (rows, cols). Throws std::invalid_argument
// when cols exceeds max_csr_cols.
CsrMatrix csr_from_dense(const float* w, std::size_t rows, std::size_t cols);

// Builds m.slices8 and m.slices16 from m's rows (for layers that run at batch 1: Dense).
void add_matvec_slices(CsrMatrix& m);

// The float nearest to v whose lowest `bits` mantissa bits are `index` (index < 2^bits), its
// sign and exponent kept: how the window slices store a value with its index.
float with_index_bits(float v, unsigned index, int bits);

}  // namespace poda
