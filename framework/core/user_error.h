#pragma once
// The one base type of every error that is the user's input, not poda's fault: a config, a
// command-line value, a file named on the command line, a plug-in. cli/main.cpp catches it
// once and exits with its code; anything else that escapes is an internal error.
#include <stdexcept>
#include <string>

namespace poda {

// Exit codes of `poda`, documented in README.md ("Exit codes"): a script or scheduler
// can tell a bad input from failed runs from a bug.
inline constexpr int kExitOk = 0;             // every planned run is ok (or: check passed)
inline constexpr int kExitRunsFailed = 1;     // the sweep ran; some runs failed or were lost
inline constexpr int kExitInputError = 2;     // bad config, command line, or file it names
inline constexpr int kExitInternalError = 3;  // anything else: I/O, out of memory, a bug

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
  // The exit code of `poda` when this error ends it.
  virtual int exit_code() const { return kExitInputError; }
};

}  // namespace poda
