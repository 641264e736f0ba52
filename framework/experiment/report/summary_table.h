#pragma once
// The report's summary: one row per setting (a sweep point minus its seed), the settings
// that vary, then accuracy, sparsity, MACs and the measured latencies as mean ± std.
#include <string>
#include <vector>

#include "experiment/report/run_groups.h"

namespace poda {

// The inference paths runs.csv times (latency_b<B>_us_<path>).
extern const char* const inference_paths[3];

// The batch sizes runs.csv has inference latencies for (latency_b<B>_us_dense), in order.
std::vector<std::string> latency_batches(const RunTable& t);

std::string summary_table(const RunTable& t);

}  // namespace poda
