#pragma once
// experiment/report/: reads a results folder and writes report.md and plots; it groups
// runs into settings and series (run_groups.h) through the run record, and never runs
// anything, so `poda report` works on any results folder, copied or merged from shards.
//
// Regenerates a results folder's plots and report.md from its files alone
// (runs.csv and runs/<run_id>/layer_sparsity.csv); what `poda report DIR` runs.
#include <string>

#include "experiment/report/run_groups.h"

namespace poda {

// Writes into `results_dir`:
//   plots/accuracy_vs_sparsity.{svg,png}      one line per series, mean ± std over seeds
//   plots/accuracy_vs_effective_macs.{svg,png}
//   plots/latency_b<B>_vs_sparsity.{svg,png}  per batch size with latency_b<B>_us_* columns
//   plots/accuracy_vs_latency_b<B>.{svg,png}  accuracy against each path's latency, same
//   plots/accuracy_vs_budget.{svg,png}        budget runs: acc against budget_achieved, one
//                                             line per strategy (search and baselines)
//   plots/accuracy_per_round.{svg,png}        runs that prune in rounds (round_curves.h)
//   plots/layer_sparsity[_k].{svg,png}        per-layer sparsity of each series at its
//                                             highest target, at most 6 series per plot
//   plots/accuracy_vs_compressed_size.{svg,png}  quantized runs: acc_quant vs bytes_quant
//   report.md                                 summary table (n per row), quantization table
//                                             (when quantized), plot links, per-round
//                                             table, failed runs
// Only runs with status "ok" enter plots and means. Runs whose result fails its checksums
// (results_store.h) and unreadable per-layer tables
// are listed as warnings in report.md. Throws ReportError naming the file when
// runs.csv is missing or malformed; when a plot cannot be drawn (e.g. no gnuplot),
// report.md is still written, noting it, and then ReportError is thrown.
void write_report(const std::string& results_dir);

}  // namespace poda
