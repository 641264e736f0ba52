#include "experiment/results/writer_lock.h"

namespace poda {
namespace {

FileLock take(const std::string& path, FileLock::Mode mode, std::FILE* log,
              const std::string& what) {
  FileLock lock = FileLock::acquire(path, mode, [&](const std::string& holder) {
    if (!log) return;
    std::fprintf(
        log, "poda: waiting: another poda run (%s) is writing %s; this one goes on when it ends\n",
        holder.empty() ? "a slice of this sweep" : holder.c_str(), what.c_str());
    std::fflush(log);
  });
  if (mode == FileLock::Mode::exclusive) lock.note(lock_holder_note());
  return lock;
}

}  // namespace

WriterLock::WriterLock(const std::string& dir, int index, int count, std::FILE* log) {
  sole_writer_ = count <= 1;
  if (sole_writer_) {
    locks_.push_back(take(dir + "/.lock", FileLock::Mode::exclusive, log, dir));
    return;
  }
  locks_.push_back(take(dir + "/.lock", FileLock::Mode::shared, log, dir));
  const std::string slice = std::to_string(index) + "-of-" + std::to_string(count);
  locks_.push_back(
      take(dir + "/.lock.slice-" + slice, FileLock::Mode::exclusive, log,
           "slice " + std::to_string(index) + "/" + std::to_string(count) + " of " + dir));
}

WriterLock::~WriterLock() {
  // A slice's shared hold on the folder lock writes no note: leave none of ours for it to show.
  if (!locks_.empty()) locks_.back().note("");
}

}  // namespace poda
