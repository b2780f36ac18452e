// hvd.init() and friends: MPI started (or joined when the application started it), the
// process's rank, size and local rank, and the communicator the collective kernels call.
#include <mpi.h>

#include <cerrno>
#include <cmath>
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
  errno = 0;
  const long x = std::strtol(v, &end, 10);
  // digits only: strtol would take " 1", "+1" and "-0"
  if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || x > INT32_MAX) {
    throw InvalidArgumentError(std::string(name) + "=" + v + " is not a non-negative integer");
  }
  return static_cast<int>(x);
}

// The launcher's variables, read (and checked) before MPI starts, so a bad value leaves the
// process as it was: MPI not initialized.
struct Environment {
  std::optional<int> rank, world_size, ompi_local_rank, local_rank;
  std::optional<double> timeout_seconds;
};

Environment read_environment() {
  Environment e;
  e.rank = env_int("RANK");
  e.world_size = env_int("WORLD_SIZE");
  e.ompi_local_rank = env_int("OMPI_COMM_WORLD_LOCAL_RANK");
  e.local_rank = env_int("LOCAL_RANK");
  if (const char* v = std::getenv("VARSCOPE_DIST_TIMEOUT_S"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    const double t = std::strtod(v, &end);
    if (*end != '\0' || !(t > 0) || !std::isfinite(t)) {
      throw InvalidArgumentError(std::string("VARSCOPE_DIST_TIMEOUT_S=") + v +
                                 " is not a positive number of seconds");
    }
    e.timeout_seconds = t;
  }
  return e;
}

// mpirun's (Open MPI's) local rank, else torchrun's LOCAL_RANK, else the rank among the
// processes sharing this node's memory.
int find_local_rank(const Environment& e) {
  if (e.ompi_local_rank) return *e.ompi_local_rank;
  if (e.local_rank) return *e.local_rank;
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  int r = 0;
  check_mpi(MPI_Comm_rank(node, &r), "MPI_Comm_rank");
  MPI_Comm_free(&node);
  return r;
}

std::string value_or_unset(const std::optional<int>& v) {
  return v ? std::to_string(*v) : std::string("unset");
}

// torchrun's RANK and WORLD_SIZE, where set, must be MPI's: ranks that disagree would pair
// the wrong tensors. Decided together (the lowest disagreeing rank), so every rank raises
// and none waits in a collective for a rank that gave up.
void check_torchrun_environment(const Environment& e, int rank, int size) {
  const bool mine = (e.rank && *e.rank != rank) || (e.world_size && *e.world_size != size);
  int first = mine ? rank : size;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD),
            "MPI_Allreduce");
  const std::string advice = ": start the processes with mpirun (varscope's transport is MPI)";
  if (mine) {
    throw UnavailableError("RANK/WORLD_SIZE (" + value_or_unset(e.rank) + "/" +
                           value_or_unset(e.world_size) + ") disagree with MPI's rank " +
                           std::to_string(rank) + " of " + std::to_string(size) + advice);
  }
  if (first < size) {
    throw UnavailableError("RANK/WORLD_SIZE disagree with MPI's world on rank " +
                           std::to_string(first) + advice);
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
  const Environment env = read_environment();
  const double timeout = env.timeout_seconds.value_or(options.timeout_seconds);
  if (!(timeout > 0)) throw InvalidArgumentError("InitOptions::timeout_seconds must be positive");
  int initialized = 0;
  check_mpi(MPI_Initialized(&initialized), "MPI_Initialized");
  if (initialized == 0) {
    int provided = 0;
    check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided),
              "MPI_Init_thread");
    s.we_initialized_mpi = true;
  }
  // MPI we started is finalized at exit, also when this init fails below (E246).
  if (!s.exit_hook) {
    s.exit_hook = true;
    std::atexit([] { finalize(); });
  }
  int rank = 0, size = 1;
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
  check_torchrun_environment(env, rank, size);
  auto mpi = std::make_shared<MpiCommunicator>(find_local_rank(env), timeout);
  s.mpi = mpi;
#if VARSCOPE_DIST_HAS_NCCL
  set_communicator(make_nccl_communicator(mpi));
#else
  set_communicator(mpi);
#endif
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
  bool broken = false;
  if (s.mpi != nullptr) {
    set_communicator(nullptr);
    broken = s.mpi->broken();
    s.mpi.reset();
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  // After a timeout a collective is pending: MPI_Finalize would wait for it forever.
  if (s.we_initialized_mpi && finalized == 0 && !broken) MPI_Finalize();
}

}  // namespace varscope::dist
