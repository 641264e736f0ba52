// The timed choice between the direct and the im2col paths of training convolutions.
#include "core/conv_choice.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "core/blas_runtime.h"
#include "core/conv_direct.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "kernels/isa.h"

namespace poda {
namespace {

using Key = std::tuple<int, std::size_t, std::size_t, std::size_t, std::size_t, std::size_t,
                       std::size_t, std::size_t, std::size_t, std::size_t, int, int>;

Key key_of(ConvPass pass, const ConvDims& d) {
  return {
      int(pass),        d.B, d.C_in, d.H, d.W, d.C_out, d.kH, d.kW, d.pad, d.dil, int(kernel_isa()),
      compute_threads()};
}

struct Choices {
  std::mutex mutex;
  std::map<Key, bool> direct;
  std::vector<std::string> lines;
};

Choices& choices() {
  static Choices c;
  return c;
}

std::atomic<bool>& direct_forced() {
  static std::atomic<bool> on{false};
  return on;
}

// One call's time: on one thread by this thread's CPU clock (on a shared machine the wall
// clock also counts the neighbours' time slices, enough to flip a choice of two paths within
// 2x of each other); with worker threads by the wall clock, which sees their work.
double trial_ms(const ConvTrial& trial, bool direct) {
  if (compute_threads() == 1 && blas_threads() == 1) {
    const double t0 = profile_now();
    trial(direct);
    return 1e3 * (profile_now() - t0);
  }
  const auto t0 = std::chrono::steady_clock::now();
  trial(direct);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The fastest of three alternating calls of each path after one warm-up call each (the
// minimum: a shared machine only ever adds time).
void time_paths(const ConvTrial& trial, double& direct_ms, double& im2col_ms) {
  direct_ms = im2col_ms = 1e30;
  for (int round = 0; round < 4; ++round) {
    const double d = trial_ms(trial, true), i = trial_ms(trial, false);
    if (round == 0) continue;  // workspaces grow, caches warm
    direct_ms = std::min(direct_ms, d);
    im2col_ms = std::min(im2col_ms, i);
  }
}

std::string describe(ConvPass pass, const ConvDims& d, double direct_ms, double im2col_ms,
                     bool direct) {
  char line[200];
  std::snprintf(line, sizeof line,
                "  %-11s %3zux%zux%zu -> %3zu k%zu p%zu  batch %3zu  %-6s  direct %8.3f ms  "
                "im2col %8.3f ms  -> %s",
                pass == ConvPass::forward ? "forward" : "weight grad", d.C_in, d.H, d.W, d.C_out,
                d.kH, d.pad, d.B, kernel_isa_name(kernel_isa()), direct_ms, im2col_ms,
                direct ? "direct" : "im2col");
  return line;
}

}  // namespace

bool conv_direct_chosen(ConvPass pass, const ConvDims& d, const ConvTrial& trial) {
  if (!conv_direct_applies(d)) return false;
  if (direct_forced()) return true;
  const Key key = key_of(pass, d);
  Choices& c = choices();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    const auto it = c.direct.find(key);
    if (it != c.direct.end()) return it->second;
  }
  double direct_ms, im2col_ms;
  time_paths(trial, direct_ms, im2col_ms);
  const bool direct = direct_ms < im2col_ms;
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.direct.emplace(key, direct).second)
    c.lines.push_back(describe(pass, d, direct_ms, im2col_ms, direct));
  return c.direct[key];
}

std::string conv_choices_text() {
  Choices& c = choices();
  std::lock_guard<std::mutex> lock(c.mutex);
  std::string text;
  for (const std::string& line : c.lines) text += line + "\n";
  return text;
}

void force_conv_direct(bool on) {
  direct_forced() = on;
}

void clear_conv_choices() {
  Choices& c = choices();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.direct.clear();
  c.lines.clear();
}

}  // namespace poda
