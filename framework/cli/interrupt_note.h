#pragma once
// What `poda run` says when SIGTERM or SIGINT stops it: how many runs of the sweep had
// finished (they are kept, listed in runs.csv) and the command that resumes the rest. The
// process then dies of the signal as before (its workers with it), so a scheduler sees the
// same exit status.
#include <cstddef>
#include <string>

namespace poda {

class InterruptNote {
 public:
  // Installs the handlers (in this process only: forked workers die silently) until destroyed.
  // `finished` runs of `planned` are finished already.
  InterruptNote(const std::string& runs_csv, const std::string& resume_command,
                std::size_t finished, std::size_t planned);
  ~InterruptNote();
  InterruptNote(const InterruptNote&) = delete;
  InterruptNote& operator=(const InterruptNote&) = delete;

  // One more run finished (called in the parent as each run's result is recorded).
  static void run_finished();
};

}  // namespace poda
