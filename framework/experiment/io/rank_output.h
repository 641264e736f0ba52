#pragma once
// Every line this process writes to stdout and stderr, prefixed with its MPI rank
// ("[rank 1/2] "), so the interleaved output of `mpirun -np K poda run` says who wrote what:
// progress, logs, warnings of the libraries and errors alike. The standard descriptors are
// pipes read by a thread each while the object lives; destroying it flushes and restores them.
#include <memory>
#include <string>
#include <thread>

namespace poda {

class RankOutput {
 public:
  explicit RankOutput(std::string prefix);
  ~RankOutput();
  RankOutput(const RankOutput&) = delete;
  RankOutput& operator=(const RankOutput&) = delete;

 private:
  struct Stream {
    int fd = -1;        // 1 or 2
    int original = -1;  // a duplicate of what fd was before
    std::thread reader;
  };
  void redirect(Stream& s);
  void restore(Stream& s);
  std::string prefix_;
  Stream out_, err_;
};

}  // namespace poda
