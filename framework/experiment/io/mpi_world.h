#pragma once
// Joining an MPI world when poda was started by mpirun, so `mpirun -np K poda run`
// spreads a sweep over ranks (ExecutorOptions::slice = {rank, size}, barrier set).
// Results go through the shared filesystem; MPI only synchronises the phases. While a world
// lives, every line the process prints starts with its rank (rank_output.h).
#include <functional>
#include <memory>

#include "experiment/io/rank_output.h"

namespace poda {

// True when a launcher (OpenMPI, or a PMI-based one) started more than one process.
bool launched_by_mpirun();

class MpiWorld {
 public:
  // Call after ensure_blas_core() (which may re-exec the process). Returns nullptr
  // when not launched by mpirun with more than one process; throws
  // std::runtime_error when it was but this build has no MPI.
  static std::unique_ptr<MpiWorld> join_if_launched(int* argc, char*** argv);
  ~MpiWorld();  // restores the output, then MPI_Finalize
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  void barrier() const;
  std::function<void()> barrier_fn() const {
    return [this] { barrier(); };
  }

 private:
  MpiWorld(int rank, int size);
  int rank_ = 0, size_ = 1;
  std::unique_ptr<RankOutput> output_;
};

}  // namespace poda
