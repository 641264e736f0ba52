#include "experiment/io/file_lock.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "experiment/io/atomic_file.h"

namespace poda {
namespace {

int open_lock_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)  // say why (e.g. "Permission denied"), not the open's "No such file or directory"
    throw FileWriteError("cannot create folder '" + parent.string() + "': " + ec.message());
  // The descriptor is inherited by forked workers (they share the lock, and die with their
  // parent), never by an exec'd program.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw FileWriteError("cannot open lock file '" + path + "': " + std::strerror(errno));
  return fd;
}

// flock with EINTR retried; returns false only when `non_blocking` and the lock is held.
bool lock(int fd, FileLock::Mode mode, bool non_blocking, const std::string& path) {
  const int op =
      (mode == FileLock::Mode::exclusive ? LOCK_EX : LOCK_SH) | (non_blocking ? LOCK_NB : 0);
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && non_blocking) return false;
    const int err = errno;
    ::close(fd);
    throw FileWriteError("cannot lock '" + path + "': " + std::strerror(err));
  }
  return true;
}

}  // namespace

FileLock FileLock::acquire(const std::string& path, Mode mode,
                           const std::function<void(const std::string&)>& on_wait) {
  const int fd = open_lock_file(path);
  if (lock(fd, mode, /*non_blocking=*/true, path)) return FileLock(fd);
  if (on_wait) {
    std::string holder;
    try {
      holder = read_file(path);
    } catch (const FileWriteError&) {}
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    on_wait(holder);
  }
  lock(fd, mode, /*non_blocking=*/false, path);
  return FileLock(fd);
}

std::optional<FileLock> FileLock::try_acquire(const std::string& path, Mode mode) {
  const int fd = open_lock_file(path);
  if (lock(fd, mode, /*non_blocking=*/true, path)) return FileLock(fd);
  ::close(fd);
  return std::nullopt;
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor of the lock releases it
}

void FileLock::note(const std::string& text) const {
  if (::ftruncate(fd_, 0) != 0) return;  // best effort: the note only informs a waiter
  const ssize_t n = ::pwrite(fd_, text.data(), text.size(), 0);
  (void)n;
}

std::string lock_holder_note() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return "pid " + std::to_string(::getpid()) + " on " + host + "\n";
}

}  // namespace poda
