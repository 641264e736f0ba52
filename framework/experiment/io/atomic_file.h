#pragma once
// experiment/io/: generic input and output with no knowledge of poda's models or configs:
// crash-safe files (this header, which the others write through), CSV tables, YAML reading
// with file:line:col errors, the checkpoint format, gnuplot plots, the forked worker pool and
// the MPI world. Everything above it (config, results, runner, report) builds on these.
//
// Crash-safe file writes for results, so an interrupted sweep (kill -9, power loss)
// never leaves a half-written runs.csv, report or checkpoint behind.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace poda {

struct FileWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Replaces `path` with `contents` so that readers see either the old file or the
// new one, never a mix: the data goes to a temporary file in the same folder,
// is fsynced, then renamed over `path` (rename is atomic within one filesystem),
// and the folder is fsynced so the rename itself survives a crash.
// Creates missing parent folders. Throws FileWriteError naming the path and errno text.
void write_file_atomically(const std::string& path, const std::string& contents);

// Appends `line` + '\n' to a JSON-lines log (created if missing, parents too) with
// one write() on an O_APPEND descriptor under an exclusive flock, then fsync.
// Guarantees: concurrent appenders never interleave inside a line (flock, O_APPEND,
// one write). Linux checks for a fatal signal only between page-sized copies, so a
// kill -9 cannot cut a line shorter than a page in the middle in practice; a
// longer line, a full disk or a power loss can still leave a torn last line.
// If the file does not end in '\n' (an earlier append was torn), a '\n' is written
// first so the fragment stays on its own line and the new record is intact.
// Readers must therefore skip a final line without '\n' (read_complete_lines does)
// and any line that does not parse.
// `line` must not contain '\n'. Throws FileWriteError naming the path and errno text.
void append_line_durably(const std::string& path, const std::string& line);

// The complete lines of a JSON-lines file (those ending in '\n'), dropping a torn
// final line. A missing file yields no lines. Throws FileWriteError if unreadable.
std::vector<std::string> read_complete_lines(const std::string& path);

// Removes the temporary files write_file_atomically leaves behind when it is killed between
// creating and renaming one (<name>.tmp.XXXXXX), in `dir` and its sub-folders. Only safe while
// no other process writes there (e.g. under the folder's exclusive lock, io/file_lock.h).
// Returns how many were removed; a missing folder has none.
std::size_t remove_stale_temp_files(const std::string& dir);

// The whole file as bytes. Throws FileWriteError naming the path if it cannot be read.
std::string read_file(const std::string& path);

}  // namespace poda
