#pragma once
// The quantization part of a report, for results whose runs.csv has acc_quant: a table
// with the fp32 pruned accuracy beside the quantized one, the stored size and the
// compression ratio per setting, and the plot of accuracy against compressed size.
#include <string>

#include "experiment/io/plots.h"
#include "experiment/report/run_groups.h"

namespace poda {

// Whether any run has quantization results.
bool has_quantization(const RunTable& t);

// Markdown table, one row per setting with a quantized run (mean ± std over seeds).
std::string quantization_table(const RunTable& t);

// Test accuracy of the quantized model vs bytes_quant (log scale), one line per series.
LinePlot accuracy_vs_compressed_size(const RunTable& t);

}  // namespace poda
