#pragma once
// Training progress on stderr: a redrawn bar on a terminal, one plain line per epoch
// otherwise (logs, CI, --jobs workers).
#include <chrono>
#include <cstddef>
#include <string>

#include "train/metrics.h"

namespace poda {

class Progress {
 public:
  enum class Mode { automatic, bar, lines, quiet };
  explicit Progress(Mode mode = Mode::automatic);
  // A prefix shown before every line, e.g. "run 3/20 sparsity=0.9".
  void set_context(std::string context) { context_ = std::move(context); }
  void begin_epoch(const std::string& phase, int epoch, int epochs, std::size_t batches);
  void update(std::size_t batch, double running_loss, double running_acc);
  void end_epoch(const EpochMetrics& m);
  void message(const std::string& text);
  // On a terminal only: `text` on one redrawn line (at most ten times a second), left there
  // until the next line of the progress or status(""), which clears it.
  void status(const std::string& text);

 private:
  Mode mode_;
  std::string context_, phase_;
  int epoch_ = 0, epochs_ = 0;
  std::size_t batches_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
  bool status_shown_ = false;
  void clear_status();
};

}  // namespace poda
