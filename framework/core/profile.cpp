#include "core/profile.h"

#include <ctime>

namespace poda {

namespace {
thread_local bool g_recording = false;
thread_local ProfileScope* g_innermost = nullptr;
ProfileTotals g_totals;
std::vector<GemmNote> g_notes;
}  // namespace

const char* profile_op_name(ProfileOp op) {
  static const char* const names[] = {"im2col/col2im: im2col",
                                      "im2col/col2im: col2im",
                                      "direct conv: kernel",
                                      "direct conv: pad/unpad",
                                      "GEMM",
                                      "BatchNorm (+ReLU fused)",
                                      "ReLU / activations",
                                      "add (residual)",
                                      "pooling",
                                      "optimizer",
                                      "allocation"};
  return names[static_cast<std::size_t>(op)];
}

void set_profiling(bool on) {
  g_recording = on;
  if (on) reset_profile();
}
bool profiling_here() {
  return g_recording;
}
const ProfileTotals& profile_totals() {
  return g_totals;
}
void reset_profile() {
  g_totals = ProfileTotals{};
  g_notes.clear();
}

void profile_note_gemm(const GemmNote& note) {
  if (g_recording) g_notes.push_back(note);
}
const std::vector<GemmNote>& profile_gemm_notes() {
  return g_notes;
}

void profile_add(ProfileOp op, double seconds) {
  const auto i = static_cast<std::size_t>(op);
  g_totals.seconds[i] += seconds;
  ++g_totals.calls[i];
}

void ProfileScope::enter(ProfileOp op) {
  op_ = op;
  active_ = true;
  parent_ = g_innermost;
  g_innermost = this;
  start_ = profile_now();
}

void ProfileScope::leave() {
  const double took = profile_now() - start_;
  profile_add(op_, took - nested_);
  if (parent_) parent_->nested_ += took;
  g_innermost = parent_;
}

// The calling thread's CPU time: on a shared machine, wall time would count the neighbours.
double profile_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace poda
