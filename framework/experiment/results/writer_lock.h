#pragma once
// One writer per results folder. A whole sweep holds <dir>/.lock exclusively; a slice of one
// (--shard i/n, or MPI rank i of n) holds it shared and <dir>/.lock.slice-i-of-n exclusively.
// So the slices of one sweep run side by side, but a second `poda run` of the same folder, or
// of the same slice, or a whole run beside slices, waits for the first one to end. Each
// pretraining folder has its own lock (taken by the runner), so slices share one pretraining.
#include <cstdio>
#include <string>
#include <vector>

#include "experiment/io/file_lock.h"

namespace poda {

class WriterLock {
 public:
  // Takes the locks of slice `index` of `count` (0 of 1: the whole sweep) on `dir`, waiting
  // while another process holds them, after saying so on `log` (nullptr: silently).
  WriterLock(const std::string& dir, int index, int count, std::FILE* log);
  ~WriterLock();  // releases them, first clearing this process's note
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Whether this process is the folder's only writer (a whole sweep): then it may tidy the
  // whole folder, e.g. remove the temporary files of killed writes.
  bool sole_writer() const { return sole_writer_; }

 private:
  std::vector<FileLock> locks_;
  bool sole_writer_ = false;
};

}  // namespace poda
