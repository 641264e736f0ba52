#pragma once
// Seconds of wall time since a point of the steady clock: the one helper every phase timer
// (training, the runner's phases, the latency protocol) uses.
#include <chrono>

namespace poda {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace poda
