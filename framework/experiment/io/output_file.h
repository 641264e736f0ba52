#pragma once
// The one way poda writes a file the user named on the command line (export, import):
// never onto a folder, a device, a FIFO or a socket, never onto one of the command's own
// inputs (the same device and inode, whatever the path or symlinks say), and never over an
// existing file unless asked (--force). The bytes go to a temporary file beside the target,
// renamed over it, so a reader sees the old file or the new one.
#include <string>
#include <vector>

#include "core/user_error.h"

namespace poda {

// A path that may not be written: an input error naming the path and why.
struct OutputPathError : UserError {
  using UserError::UserError;
};

struct OutputTarget {
  std::string path;                 // as the user gave it
  std::vector<std::string> inputs;  // files the command reads; missing ones are ignored
  bool force = false;               // replace an existing regular file that is no input
  std::string flag = "--force";     // named in the message that refuses to replace
};

// What a file of this st_mode is when it is not a regular file ("a directory", "a device",
// "a FIFO (named pipe)", "a socket"), "" for a regular file.
std::string non_regular_file_kind(unsigned mode);

// Why `target.path` may not be written, or "" when it may.
std::string output_path_problem(const OutputTarget& target);

// Throws OutputPathError when output_path_problem has something to say: called before the
// command's work, so a bad output path costs nothing.
void check_output_path(const OutputTarget& target);

// check_output_path, then writes `contents` atomically. A symlink to a regular file is
// followed: the file it points to is replaced and the link stays.
void write_output_file(const OutputTarget& target, const std::string& contents);

}  // namespace poda
