#include "experiment/io/atomic_file.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poda {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw FileWriteError(what + " '" + path + "': " + std::strerror(err));
}

void make_parent_dirs(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw FileWriteError("cannot create folder '" + parent.string() + "' for '" + path +
                         "': " + ec.message());
}

// Writes all of `data`, retrying on short writes and EINTR.
bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Makes a completed rename durable; failure here is not fatal for correctness of
// the content, only of its persistence, so it is best-effort.
void fsync_parent_dir(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool ends_with_newline_or_empty(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size == 0) return true;
  char last = '\n';
  if (::pread(fd, &last, 1, st.st_size - 1) != 1) return true;
  return last == '\n';
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& contents) {
  if (path.empty()) throw FileWriteError("cannot write a file with an empty path");
  make_parent_dirs(path);
  // mkstemp gives a unique name, so parallel writers of the same target never collide.
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> tmp_name(tmpl.begin(), tmpl.end());
  tmp_name.push_back('\0');
  int fd = ::mkstemp(tmp_name.data());
  if (fd < 0) fail("cannot create temporary file for", path, errno);
  std::string tmp(tmp_name.data());
  auto abandon = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(what, path, err);
  };
  // mkstemp creates 0600; results should be readable like any other file.
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) abandon("cannot set permissions of temporary file for");
  if (!write_all(fd, contents.data(), contents.size())) abandon("cannot write");
  if (::fsync(fd) != 0) abandon("cannot fsync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot close", path, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot rename temporary file onto", path, err);
  }
  fsync_parent_dir(path);
}

void append_line_durably(const std::string& path, const std::string& line) {
  if (line.find('\n') != std::string::npos)
    throw FileWriteError("cannot append to '" + path + "': the line contains a newline");
  make_parent_dirs(path);
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot open for appending", path, errno);
  // The lock makes the torn-line check and the write one step for cooperating
  // appenders; without it another process's line could land in between.
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(fd);
      fail("cannot lock", path, err);
    }
  }
  std::string record = line + '\n';
  if (!ends_with_newline_or_empty(fd)) record.insert(record.begin(), '\n');
  // One write() call: a short write is reported as an error rather than
  // completed by a second write, which could interleave with another appender.
  ssize_t n;
  do {
    n = ::write(fd, record.data(), record.size());
  } while (n < 0 && errno == EINTR);
  int err = errno;
  if (n < 0) {
    ::close(fd);
    fail("cannot append to", path, err);
  }
  if (static_cast<std::size_t>(n) != record.size()) {
    ::close(fd);
    throw FileWriteError("cannot append to '" + path + "': short write of " + std::to_string(n) +
                         " of " + std::to_string(record.size()) + " bytes (disk full?)");
  }
  if (::fsync(fd) != 0) {
    err = errno;
    ::close(fd);
    fail("cannot fsync", path, err);
  }
  if (::close(fd) != 0) fail("cannot close", path, errno);
}

namespace {

// "<name>.tmp.XXXXXX" with mkstemp's six letters or digits.
bool is_temp_name(const std::string& name) {
  const std::size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at == 0 || name.size() - at != 11) return false;
  for (std::size_t i = at + 5; i < name.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

}  // namespace

std::size_t remove_stale_temp_files(const std::string& dir) {
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec) && is_temp_name(it->path().filename().string()))
      removed += fs::remove(it->path(), file_ec) ? 1 : 0;
  }
  return removed;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open", path, errno);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) fail("cannot read", path, errno);
  return out.str();
}

std::vector<std::string> read_complete_lines(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  std::string text = read_file(path);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;  // anything after the last '\n' is a torn line and is dropped
}

}  // namespace poda
