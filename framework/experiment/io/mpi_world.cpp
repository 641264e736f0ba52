#include "experiment/io/mpi_world.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef PODA_HAVE_MPI
#include <mpi.h>
#endif

namespace poda {
namespace {

int env_int(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : 0;
}

}  // namespace

bool launched_by_mpirun() {
  return env_int("OMPI_COMM_WORLD_SIZE") > 1 || env_int("PMI_SIZE") > 1;
}

std::unique_ptr<MpiWorld> MpiWorld::join_if_launched(int* argc, char*** argv) {
  if (!launched_by_mpirun()) return nullptr;
#ifdef PODA_HAVE_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(argc, argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<MpiWorld>(new MpiWorld(rank, size));
#else
  throw std::runtime_error(
      "started by mpirun, but this poda was built without MPI (install OpenMPI and rebuild)");
#endif
}

MpiWorld::MpiWorld(int rank, int size)
    : rank_(rank),
      size_(size),
      output_(std::make_unique<RankOutput>("[rank " + std::to_string(rank) + "/" +
                                           std::to_string(size) + "] ")) {}

MpiWorld::~MpiWorld() {
  output_.reset();
#ifdef PODA_HAVE_MPI
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
#endif
}

void MpiWorld::barrier() const {
#ifdef PODA_HAVE_MPI
  MPI_Barrier(MPI_COMM_WORLD);
#endif
}

}  // namespace poda
