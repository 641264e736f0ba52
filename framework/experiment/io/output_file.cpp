#include "experiment/io/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <sys/stat.h>

#include "experiment/io/atomic_file.h"

namespace poda {
namespace {

namespace fs = std::filesystem;

// The input that is the same file as `st` (device and inode), or "".
std::string same_input(const struct stat& st, const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    struct stat in {};
    if (!input.empty() && ::stat(input.c_str(), &in) == 0 && in.st_dev == st.st_dev &&
        in.st_ino == st.st_ino)
      return input;
  }
  return "";
}

}  // namespace

std::string non_regular_file_kind(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (!S_ISREG(mode)) return "a special file";
  return "";
}

std::string output_path_problem(const OutputTarget& t) {
  if (t.path.empty()) return "the output path is empty";
  struct stat st {};
  if (::stat(t.path.c_str(), &st) != 0) {
    struct stat link {};
    if (errno == ENOENT && ::lstat(t.path.c_str(), &link) == 0)
      return "is a symbolic link to a missing file; give the file's own path";
    return "";  // a new file (a folder on the way that cannot be written fails at the write)
  }
  const std::string kind = non_regular_file_kind(st.st_mode);
  if (!kind.empty()) return "is " + kind + ", not a file to write";
  const std::string input = same_input(st, t.inputs);
  if (!input.empty())
    return input == t.path
               ? "is this command's input; it would be overwritten"
               : "is the same file as the input '" + input + "'; it would be overwritten";
  if (!t.force) return "exists; give " + t.flag + " to replace it";
  return "";
}

void check_output_path(const OutputTarget& target) {
  const std::string problem = output_path_problem(target);
  if (!problem.empty()) throw OutputPathError("output '" + target.path + "' " + problem);
}

void write_output_file(const OutputTarget& target, const std::string& contents) {
  check_output_path(target);
  // Renaming onto a symlink would replace the link; the file it names is what was meant.
  std::error_code ec;
  std::string real = target.path;
  if (fs::is_symlink(fs::symlink_status(target.path, ec))) {
    real = fs::canonical(target.path, ec).string();
    if (ec) throw OutputPathError("output '" + target.path + "': " + ec.message());
  }
  write_file_atomically(real, contents);
}

}  // namespace poda
