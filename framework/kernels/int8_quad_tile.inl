// The register-tiled quad GEMM of the VNNI int8 kernels, written once for both vector widths:
// gemm_int8_vnni.cpp includes it for AVX-512 VNNI (zmm, 16 int32 lanes) and
// gemm_int8_avxvnni.cpp for AVX-VNNI (ymm, 8 lanes, the VEX vpdpbusd of AVX2-class CPUs).
// The including file defines, inside its own anonymous namespace:
//   PODA_QUAD_TARGET  the target attribute of its instruction set
//   Vec, kVecLanes    the vector type and its int32 lanes
//   vzero(), vload(const void*), vstore(std::int32_t*, Vec)
//   vbroadcast(const void*)  4 bytes at p in every int32 lane, straight from memory (a
//                    load; GCC otherwise went through a general register, a move to the
//                    vector unit per row on the pipes the vpdpbusd need)
//   vdot(acc, u, s)   acc + the 4 u8 x s8 products of each int32 lane (vpdpbusd)
//
//   C (M, N) int32 = A (M, K) · B^T
// A: M rows of K bytes, stride lda, each quad of K broadcast to every lane;
// B: the layout of PackedInt8Weights::data, [N_pad / 16][quads][16][4] bytes, read one
//    vector of lanes at a time (a zmm is a whole 16-lane block, a ymm half of one).
// kSignedA says which operand holds the int8 values: false for Dense (A = uint8
// activations, B = int8 weights), true for a convolution's panel (A = int8 weight rows,
// B = uint8 patches); vpdpbusd's unsigned operand is always the activations.

constexpr std::size_t kBlockLanes = 16;  // int32 lanes of one packed block (kInt8Lanes)
constexpr int kVecsPerBlock = static_cast<int>(kBlockLanes / kVecLanes);
constexpr std::size_t kVecBytes = kVecLanes * 4;

// A[row, 4q .. 4q+3] as one int32 lane, zero-padded past K.
inline std::int32_t quad_of(const std::uint8_t* row, std::size_t q, std::size_t K) {
  std::int32_t v = 0;
  const std::size_t k0 = q * 4;
  std::memcpy(&v, row + k0, K - k0 < 4 ? K - k0 : 4);
  return v;
}

// acc[r][c] += A quad of row r (broadcast) · B vector column c, for one K quad: row r's
// 4 bytes at a + r * lda. B points at the tile's first block for this quad.
template <int MR, int NV, bool kSignedA>
PODA_QUAD_TARGET inline void quad_step(Vec (&acc)[MR][NV], const std::uint8_t* a, std::size_t lda,
                                       const std::uint8_t* B, std::size_t block_bytes) {
  Vec b[NV];
#pragma GCC unroll 8
  for (int c = 0; c < NV; ++c) {
    b[c] = vload(B + (c / kVecsPerBlock) * block_bytes + (c % kVecsPerBlock) * kVecBytes);
    // Keeps b[c] in a register: otherwise GCC folds the load into each of the MR vpdpbusd,
    // MR loads instead of 1, and the kernel becomes load-bound (1.65x slower, measured).
    __asm__("" : "+v"(b[c]));
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    const Vec av = vbroadcast(a + r * lda);
#pragma GCC unroll 8
    for (int c = 0; c < NV; ++c)
      acc[r][c] = kSignedA ? vdot(acc[r][c], b[c], av) : vdot(acc[r][c], av, b[c]);
  }
}

// C (MR, <= NV lanes) for MR rows and NV vector columns; `width` is how many of the tile's
// columns exist (the last block may be partial). The accumulators must stay in registers:
// the loops over r and c are unrolled and the partial last quad is handled after the loop.
template <int MR, int NV, bool kSignedA>
PODA_QUAD_TARGET void quad_tile(const std::uint8_t* A, std::size_t lda, std::size_t K,
                                std::size_t quads, const std::uint8_t* B, std::int32_t* C,
                                std::size_t ldc, std::size_t width) {
  const std::size_t block_bytes = quads * kBlockLanes * 4;
  Vec acc[MR][NV];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < NV; ++c) acc[r][c] = vzero();
  const std::size_t full = K / 4;
  for (std::size_t q = 0; q < full; ++q)
    quad_step<MR, NV, kSignedA>(acc, A + q * 4, lda, B + q * kBlockLanes * 4, block_bytes);
  if (full < quads) {
    std::int32_t a[MR];  // the last quads, zero-padded, as rows 4 bytes apart
    for (int r = 0; r < MR; ++r) a[r] = quad_of(A + r * lda, full, K);
    quad_step<MR, NV, kSignedA>(acc, reinterpret_cast<const std::uint8_t*>(a), 4,
                                B + full * kBlockLanes * 4, block_bytes);
  }
#pragma GCC unroll 8
  for (int c = 0; c < NV; ++c) {
    const std::size_t n0 = c * kVecLanes;
    if (n0 >= width) break;
    const std::size_t cols = width - n0 < kVecLanes ? width - n0 : kVecLanes;
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      if (cols == kVecLanes) {
        vstore(C + r * ldc + n0, acc[r][c]);
      } else {  // a partial vector: through memory (masked stores are slow on AMD)
        alignas(64) std::int32_t lanes[kVecLanes];
        vstore(lanes, acc[r][c]);
        std::memcpy(C + r * ldc + n0, lanes, cols * sizeof(std::int32_t));
      }
    }
  }
}

using QuadTileFn = void (*)(const std::uint8_t*, std::size_t, std::size_t, std::size_t,
                            const std::uint8_t*, std::int32_t*, std::size_t, std::size_t);

// tiles[rows - 1][vectors - 1]: every tile size up to kMaxRows x kMaxVecs.
template <bool kSignedA, int MR, int... NVs>
constexpr std::array<QuadTileFn, sizeof...(NVs)> tile_row(std::integer_sequence<int, NVs...>) {
  return {&quad_tile<MR, NVs + 1, kSignedA>...};
}
template <bool kSignedA, int... MRs>
constexpr std::array<std::array<QuadTileFn, kMaxVecs>, sizeof...(MRs)> tile_table(
    std::integer_sequence<int, MRs...>) {
  return {tile_row<kSignedA, MRs + 1>(std::make_integer_sequence<int, kMaxVecs>{})...};
}

// C (M, N) = A (M, K) · B^T, B packed for N columns in `quads` quads (see the top).
template <bool kSignedA>
void quad_gemm(std::size_t M, const std::uint8_t* A, std::size_t lda, std::size_t K,
               std::size_t quads, const std::uint8_t* B, std::size_t N, std::int32_t* C,
               std::size_t ldc) {
  static constexpr auto tiles =
      tile_table<kSignedA>(std::make_integer_sequence<int, kMaxRows>{});
  const std::size_t block_bytes = quads * kBlockLanes * 4;
  const std::size_t step = kMaxVecs * kVecLanes;  // columns per tile, whole blocks
  static_assert(step % kBlockLanes == 0, "a tile spans whole packed blocks");
  for (std::size_t n0 = 0; n0 < N; n0 += step) {
    const std::size_t width = N - n0 < step ? N - n0 : step;
    const std::size_t vecs = (width + kVecLanes - 1) / kVecLanes;
    const std::uint8_t* b = B + n0 / kBlockLanes * block_bytes;
    for (std::size_t m0 = 0; m0 < M; m0 += kMaxRows) {
      const std::size_t rows = M - m0 < kMaxRows ? M - m0 : kMaxRows;
      tiles[rows - 1][vecs - 1](A + m0 * lda, lda, K, quads, b, C + m0 * ldc + n0, ldc, width);
    }
  }
}
