#pragma once
// `poda export --format poda-sparse`: the folded model (the graph export_onnx builds: masks
// applied, BatchNorm folded, normalisation as Sub/Div) with each Gemm/Conv weight in the
// inference engine's sparse format, CSR with 16-bit column indices (kernels/csr.h). A weight
// row is an output unit (a Dense neuron; a Conv filter over its C_in/groups * k * k inputs).
//
// Layout, all integers little-endian, strings as u32 length + bytes:
//   "PODASPRS"  u32 version (1)
//   u32 op count, then per op:
//     string op_type (an ONNX operator: Gemm, Conv, Relu, ...), string name,
//     u32 n, n strings (inputs: the op's input, then constants by name),
//     u32 n, n strings (outputs),
//     u32 n, n attributes: string name, u8 kind (0 int: i64; 1 ints: u32 n, n x i64;
//                                             2 float: f32)
//   u32 constant count, then per constant:
//     string name, u32 rank, rank x u64 dims, u8 encoding:
//       0 dense:  numel x f32
//       1 CSR-16: u32 rows (dims[0]), u32 cols (numel / rows), u32 nnz,
//                 (rows + 1) x i32 row_ptr, nnz x u16 col, nnz x f32 val
//   u32 metadata count, then per item: string key, string value (the ONNX metadata_props)
// The input is named "input" ((N, C, H, W) pixels in [0, 1]); the output "logits".
#include <string>

#include "data/normalization.h"
#include "nn/module.h"

namespace poda {

std::string serialize_sparse_model(Module& model, const Shape& input, const Normalization& norm);

}  // namespace poda
