#pragma once
// Where a training step's time goes: CPU-time totals per op family, for benchmarks.
//
// Off by default; a kernel marks its work with a ProfileScope, which costs one branch when
// profiling is off. Only the thread that turned profiling on records (the parallel workers'
// time is inside the caller's scope), so the totals add up to that thread's step time.
#include <array>
#include <cstddef>
#include <vector>

namespace poda {

enum class ProfileOp {
  im2col,
  col2im,
  conv_direct,
  conv_layout,
  gemm,
  batch_norm,
  activation,
  add,
  pool,
  optimizer,
  allocation,
  count
};
constexpr std::size_t profile_op_count = static_cast<std::size_t>(ProfileOp::count);
const char* profile_op_name(ProfileOp op);

struct ProfileTotals {
  std::array<double, profile_op_count> seconds{};
  std::array<long, profile_op_count> calls{};
};

// Starts (and zeroes) or stops recording on the calling thread.
void set_profiling(bool on);
bool profiling_here();
const ProfileTotals& profile_totals();
void reset_profile();
void profile_add(ProfileOp op, double seconds);
double profile_now();  // the calling thread's CPU time, in seconds

// The GEMMs an op stands for, whatever its kernels do: `batch` products op(A)(M,K) op(B)(K,N),
// which could also run as one GEMM with the batch folded into N (or into K when batch_in_k).
// Ops note them while profiling; benchmarks replay them alone for a GEMM-bound estimate.
struct GemmNote {
  bool trans_a, trans_b;
  std::size_t M, N, K, batch;
  bool batch_in_k;
};
void profile_note_gemm(const GemmNote& note);
const std::vector<GemmNote>& profile_gemm_notes();

// Times its own lifetime under one op family, minus the time of scopes nested in it (an
// allocation inside a pooling op counts as allocation only), so the totals never overlap.
class ProfileScope {
 public:
  explicit ProfileScope(ProfileOp op) {
    if (profiling_here()) enter(op);
  }
  ~ProfileScope() {
    if (active_) leave();
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  void enter(ProfileOp op);
  void leave();
  ProfileOp op_ = ProfileOp::count;
  bool active_ = false;
  double start_ = 0.0, nested_ = 0.0;  // seconds spent in scopes nested in this one
  ProfileScope* parent_ = nullptr;
};

}  // namespace poda
