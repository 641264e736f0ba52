#pragma once
// Per-round curves of the schedules that prune in rounds (iterative, lottery): each run's
// runs/<run_id>/rounds.csv holds the accuracy after every round's training, so a lottery
// run of 15 rounds is a whole curve of accuracy against remaining weights, which runs.csv
// (one row per run, the last round) cannot show.
#include <string>
#include <vector>

#include "experiment/io/plots.h"
#include "experiment/report/run_groups.h"

namespace poda {

struct RoundCurves {
  // One line per setting whose runs have two or more rounds: x = remaining fraction of
  // the prunable weights after the round (1 - sparsity), y = test accuracy after the
  // round's training, mean ± std over the setting's ok runs; the dense model (acc_dense)
  // is round 0 at x = 1. Empty when no setting prunes in rounds.
  LinePlot plot;
  std::string table_markdown;         // round, remaining weights, accuracy and n per line
  std::vector<std::string> warnings;  // unreadable rounds.csv files, named
};

// Reads the rounds.csv of every ok run of `t` under `results_dir`/runs/.
RoundCurves round_curves(const RunTable& t, const std::string& results_dir);

}  // namespace poda
