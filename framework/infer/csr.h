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

// The batch-1 layout of the same non-zeros for the AVX-512 kernel (add_matvec_slices): rows
// in slices of 16, one row per vector lane; columns in blocks of 32 whose inputs fit in two
// registers, so a non-zero's input is looked up by one permute (vpermt2ps) from an 8-bit
// in-block index instead of a gather. In a block, a slice stores as many 16-lane slots as its
// longest row has entries there; shorter rows are padded with zero values.
struct MatvecSlices {
  struct Block {
    std::uint32_t col0, slots;  // first column; slots of 16 lanes
  };
  std::vector<std::uint32_t> slice_ptr;  // (slices + 1): slice s holds blocks [ptr[s], ptr[s+1])
  std::vector<Block> blocks;
  std::vector<std::uint8_t> idx;  // (total slots, 16): column - col0
  std::vector<float> val;         // (total slots, 16): 0 in padding
  bool empty() const { return slice_ptr.empty(); }
};

struct CsrMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int32_t> row_ptr;  // (rows + 1): row r holds entries [row_ptr[r], row_ptr[r+1])
  std::vector<std::uint16_t> col;     // (nnz)
  std::vector<float> val;             // (nnz)
  MatvecSlices slices;                // empty unless add_matvec_slices() built it

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

// Builds m.slices from m's rows (for layers that run at batch 1: Dense).
void add_matvec_slices(CsrMatrix& m);

}  // namespace poda
