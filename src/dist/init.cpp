// hvd.init() and friends: MPI started (or joined when the application started it), the
// process's rank, size and local rank, and the communicator the collective kernels call.
#include <mpi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dist/mpi_communicator.h"
#include "varscope/dist.h"
#include "varscope/errors.h"
#if VARSCOPE_DIST_HAS_NCCL
#include "dist/nccl_communicator.h"
#endif

namespace varscope::dist {
namespace {

struct State {
  std::mutex mu;
  std::shared_ptr<MpiCommunicator> mpi;
  bool we_initialized_mpi = false;
  bool exit_hook = false;
};
State& state() {
  static State s;
  return s;
}

std::optional<int> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < 0 || x > INT32_MAX) {
    throw InvalidArgumentError(std::string(name) + "=" + v + " is not a non-negative integer");
  }
  return static_cast<int>(x);
}

// mpirun's (Open MPI's) local rank, else torchrun's LOCAL_RANK, else the rank among the
// processes sharing this node's memory.
int find_local_rank() {
  if (auto r = env_int("OMPI_COMM_WORLD_LOCAL_RANK")) return *r;
  if (auto r = env_int("LOCAL_RANK")) return *r;
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  int r = 0;
  check_mpi(MPI_Comm_rank(node, &r), "MPI_Comm_rank");
  MPI_Comm_free(&node);
  return r;
}

// torchrun's RANK and WORLD_SIZE, where set, must be MPI's: ranks that disagree would pair
// the wrong tensors.
void check_torchrun_environment(int rank, int size) {
  const std::optional<int> env_rank = env_int("RANK");
  const std::optional<int> env_size = env_int("WORLD_SIZE");
  if ((env_rank && *env_rank != rank) || (env_size && *env_size != size)) {
    throw UnavailableError("RANK/WORLD_SIZE (" + std::to_string(env_rank.value_or(-1)) + "/" +
                           std::to_string(env_size.value_or(-1)) + ") disagree with MPI's rank " +
                           std::to_string(rank) + " of " + std::to_string(size) +
                           ": start the processes with mpirun (varscope's transport is MPI)");
  }
}

std::shared_ptr<MpiCommunicator> require() {
  std::lock_guard<std::mutex> lock(state().mu);
  if (state().mpi == nullptr) {
    throw FailedPreconditionError("Horovod has not been initialized; use hvd.init().");
  }
  return state().mpi;
}

}  // namespace

void init(const InitOptions& options) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.mpi != nullptr) return;
  double timeout = options.timeout_seconds;
  if (const char* v = std::getenv("VARSCOPE_DIST_TIMEOUT_S"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    timeout = std::strtod(v, &end);
    if (*end != '\0' || !(timeout > 0)) {
      throw InvalidArgumentError(std::string("VARSCOPE_DIST_TIMEOUT_S=") + v +
                                 " is not a positive number of seconds");
    }
  }
  if (!(timeout > 0)) throw InvalidArgumentError("InitOptions::timeout_seconds must be positive");
  int initialized = 0;
  check_mpi(MPI_Initialized(&initialized), "MPI_Initialized");
  if (initialized == 0) {
    int provided = 0;
    check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided),
              "MPI_Init_thread");
    s.we_initialized_mpi = true;
  }
  int rank = 0, size = 1;
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  check_torchrun_environment(rank, size);
  auto mpi = std::make_shared<MpiCommunicator>(find_local_rank(), timeout);
  s.mpi = mpi;
#if VARSCOPE_DIST_HAS_NCCL
  set_communicator(make_nccl_communicator(mpi));
#else
  set_communicator(mpi);
#endif
  if (!s.exit_hook) {
    s.exit_hook = true;
    std::atexit([] { finalize(); });
  }
}

bool is_initialized() {
  std::lock_guard<std::mutex> lock(state().mu);
  return state().mpi != nullptr;
}

int rank() {
  return require()->rank();
}
int size() {
  return require()->size();
}
int local_rank() {
  return require()->local_rank();
}

void finalize() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.mpi == nullptr) return;
  set_communicator(nullptr);
  const bool broken = s.mpi->broken();
  s.mpi.reset();
  int finalized = 0;
  MPI_Finalized(&finalized);
  // After a timeout a collective is pending: MPI_Finalize would wait for it forever.
  if (s.we_initialized_mpi && finalized == 0 && !broken) MPI_Finalize();
}

}  // namespace varscope::dist
