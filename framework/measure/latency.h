#pragma once
// Measured CPU inference latency: the protocol of the inference path. Several callables
// (e.g. the dense, sparse and compacted plans of one model) are timed in alternation, so a
// busy machine slows them alike; warm-up, then median and p90.
#include <cstddef>
#include <functional>
#include <vector>

#include "nn/module.h"

namespace poda {

// Warm up for warmup_seconds per callable; then time rounds until every callable has
// min_calls timed calls and min_seconds have passed, or max_seconds. A round gives each
// callable one untimed call (its weights back in the caches after the others ran) and
// `block` timed ones, so the alternation spreads a busy machine's noise over all of them
// without measuring one model's cache misses caused by another.
struct LatencyProtocol {
  double warmup_seconds = 0.3;
  std::size_t block = 4;
  std::size_t min_calls = 200;
  double min_seconds = 1.0;
  double max_seconds = 5.0;  // a slow model stops here (with at least 10 rounds)
};

struct LatencyStats {
  double median_us = 0.0, p90_us = 0.0;
  std::size_t calls = 0;
};

// How far the protocol is, from 0 to 1, after every round: for a progress line.
using LatencyProgress = std::function<void(double fraction)>;

// One LatencyStats per callable, in order.
std::vector<LatencyStats> measure_alternating(const std::vector<std::function<void()>>& calls,
                                              const LatencyProtocol& protocol,
                                              const LatencyProgress& progress = {});

}  // namespace poda
