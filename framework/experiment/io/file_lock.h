#pragma once
// Advisory locks (flock) that keep two poda processes from writing the same results folder or
// training the same dense model at once. The kernel drops a lock when its holder dies, even by
// kill -9, so a lock never outlives a crashed run.
#include <functional>
#include <optional>
#include <string>

namespace poda {

class FileLock {
 public:
  enum class Mode { shared, exclusive };

  // Locks `path` (created if missing, parents too), waiting while another process holds it
  // in a conflicting mode; `on_wait` is called once before waiting, with what the holder
  // wrote into the file (see note()), so the user learns why nothing happens.
  // Throws FileWriteError naming the path when the file cannot be opened or locked.
  static FileLock acquire(const std::string& path, Mode mode,
                          const std::function<void(const std::string& holder)>& on_wait = {});

  // The lock if it is free now, else nullopt.
  static std::optional<FileLock> try_acquire(const std::string& path, Mode mode);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // releases the lock

  // Replaces the file's text with `text` (e.g. "pid 1234"): what a waiting process reports.
  // Only meaningful for an exclusive holder.
  void note(const std::string& text) const;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// "pid <this process's pid> on <host name>": the usual note().
std::string lock_holder_note();

}  // namespace poda
