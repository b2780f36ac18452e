#include "dist/nccl_communicator.h"

#include <cuda_runtime.h>
#include <dlfcn.h>
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "varscope/errors.h"

namespace varscope::dist {
namespace {

const char* const kLibrary = "libnccl.so.2";

struct NcclApi {
  decltype(&ncclGetUniqueId) get_unique_id = nullptr;
  decltype(&ncclCommInitRankConfig) comm_init_rank_config = nullptr;
  decltype(&ncclCommGetAsyncError) comm_get_async_error = nullptr;
  decltype(&ncclCommDestroy) comm_destroy = nullptr;
  decltype(&ncclCommAbort) comm_abort = nullptr;
  decltype(&ncclAllReduce) all_reduce = nullptr;
  decltype(&ncclBroadcast) broadcast = nullptr;
  decltype(&ncclGetErrorString) error_string = nullptr;
};

template <class Fn>
void resolve(void* library, const char* name, Fn& slot) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw UnavailableError(std::string("NCCL (") + kLibrary + ") has no " + name);
  }
  slot = reinterpret_cast<Fn>(symbol);
}

const NcclApi& nccl() {
  static const NcclApi api = [] {
    void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      throw UnavailableError(std::string("cannot load NCCL, which collectives on CUDA need: ") +
                             (why != nullptr ? why : kLibrary));
    }
    NcclApi a;
    resolve(library, "ncclGetUniqueId", a.get_unique_id);
    resolve(library, "ncclCommInitRankConfig", a.comm_init_rank_config);
    resolve(library, "ncclCommGetAsyncError", a.comm_get_async_error);
    resolve(library, "ncclCommDestroy", a.comm_destroy);
    resolve(library, "ncclCommAbort", a.comm_abort);
    resolve(library, "ncclAllReduce", a.all_reduce);
    resolve(library, "ncclBroadcast", a.broadcast);
    resolve(library, "ncclGetErrorString", a.error_string);
    return a;
  }();
  return api;
}

void check_nccl(ncclResult_t rc, const char* call) {
  if (rc == ncclSuccess) return;
  throw UnavailableError(std::string(call) + " failed: " + nccl().error_string(rc));
}

// A nonblocking communicator's call: ncclInProgress is "enqueued, not yet done".
void check_enqueued(ncclResult_t rc, const char* call) {
  if (rc != ncclInProgress) check_nccl(rc, call);
}

ncclDataType_t nccl_type(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return ncclFloat32;
    case DType::kFloat64:
      return ncclFloat64;
    case DType::kFloat16:
      return ncclFloat16;
    case DType::kInt32:
      return ncclInt32;
    case DType::kInt64:
      return ncclInt64;
    case DType::kInt8:
      return ncclInt8;
    case DType::kUInt8:
      return ncclUint8;
    default:
      throw UnimplementedError("A collective over NCCL on " + std::string(dtype_name(dtype)));
  }
}

// Collectives on device memory, enqueued on the session's stream. The communicator is
// nonblocking (ncclConfig_t::blocking = 0): its creation and each collective are polled, as
// the MPI path polls, against the same timeout; on expiry, or when NCCL reports an error
// (ncclCommGetAsyncError), the communicator is aborted (ncclCommAbort) and the process's
// later collectives are refused, as after an MPI timeout. Never run here: no GPU.
class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(std::shared_ptr<MpiCommunicator> mpi) : mpi_(std::move(mpi)) {}
  ~NcclCommunicator() override {
    if (comm_ != nullptr) nccl().comm_destroy(comm_);
  }
  int rank() const override { return mpi_->rank(); }
  int size() const override { return mpi_->size(); }
  int local_rank() const override { return mpi_->local_rank(); }
  std::string name() const override { return "NCCL"; }
  bool accepts_device_memory() const override { return true; }

  void allreduce(const CollectiveBuffer& b, ReduceOp op) override {
    if (!b.on_device) return mpi_->allreduce(b, op);
    std::lock_guard<std::mutex> lock(mu_);
    const ncclDataType_t type = nccl_type(b.dtype);
    ncclComm_t c = comm();
    auto stream = static_cast<cudaStream_t>(b.stream);
    check_enqueued(nccl().all_reduce(b.data, b.data, static_cast<std::size_t>(b.count), type,
                                     op == ReduceOp::kAverage ? ncclAvg : ncclSum, c, stream),
                   "ncclAllReduce");
    wait("ncclAllReduce", stream);
  }
  void broadcast(const CollectiveBuffer& b, int root) override {
    if (!b.on_device) return mpi_->broadcast(b, root);
    std::lock_guard<std::mutex> lock(mu_);
    const ncclDataType_t type = nccl_type(b.dtype);
    ncclComm_t c = comm();
    auto stream = static_cast<cudaStream_t>(b.stream);
    check_enqueued(
        nccl().broadcast(b.data, b.data, static_cast<std::size_t>(b.count), type, root, c, stream),
        "ncclBroadcast");
    wait("ncclBroadcast", stream);
  }
  std::vector<std::string> allgather(const std::string& mine) override {
    return mpi_->allgather(mine);
  }

 private:
  // Made on the first device collective, on the calling session's device (NCCL refuses two
  // ranks on one GPU: "Duplicate GPU detected", E248). Caller holds mu_.
  ncclComm_t comm() {
    if (aborted_) {
      throw FailedPreconditionError(
          "A collective failed or timed out earlier; this process's NCCL communicator was "
          "aborted and can no longer be used");
    }
    if (comm_ != nullptr) return comm_;
    ncclUniqueId id{};
    if (mpi_->rank() == 0) check_nccl(nccl().get_unique_id(&id), "ncclGetUniqueId");
    mpi_->broadcast_bytes(&id, static_cast<int>(sizeof id), 0);
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;  // returns at once: a rank that never joins is a timeout, not a hang
    const ncclResult_t rc =
        nccl().comm_init_rank_config(&comm_, mpi_->size(), id, mpi_->rank(), &config);
    if (rc != ncclSuccess && rc != ncclInProgress) {
      if (comm_ != nullptr) nccl().comm_abort(comm_);
      comm_ = nullptr;
      check_nccl(rc, "ncclCommInitRankConfig");
    }
    wait("ncclCommInitRankConfig", nullptr);
    return comm_;
  }

  // Polls until NCCL has finished `what` (its async state leaves ncclInProgress) and, for a
  // collective, `stream` has run it. Aborts the communicator on an error or the timeout.
  void wait(const char* what, cudaStream_t stream) {
    const double timeout = mpi_->timeout_seconds();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
    auto pause = std::chrono::microseconds(1);
    for (;;) {
      ncclResult_t state = ncclSuccess;
      check_nccl(nccl().comm_get_async_error(comm_, &state), "ncclCommGetAsyncError");
      if (state != ncclSuccess && state != ncclInProgress) {
        abort();
        throw UnavailableError(std::string(what) + " failed: " + nccl().error_string(state));
      }
      if (state == ncclSuccess) {
        if (stream == nullptr) return;
        const cudaError_t q = cudaStreamQuery(stream);
        if (q == cudaSuccess) return;
        if (q != cudaErrorNotReady) {
          abort();
          throw UnavailableError(std::string(what) + " failed: " + cudaGetErrorString(q));
        }
      }
      if (std::chrono::steady_clock::now() > deadline) {
        abort();
        throw Error(StatusCode::kDeadlineExceeded,
                    std::string(what) + " did not complete on all " + std::to_string(size()) +
                        " ranks within " + std::to_string(timeout) + " s (rank " +
                        std::to_string(rank()) + "): a rank is running other collectives, or none");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(200));
    }
  }

  void abort() noexcept {
    if (comm_ != nullptr) nccl().comm_abort(comm_);
    comm_ = nullptr;
    aborted_ = true;
  }

  std::shared_ptr<MpiCommunicator> mpi_;
  ncclComm_t comm_ = nullptr;
  bool aborted_ = false;
  std::mutex mu_;  // one collective at a time
};

}  // namespace

std::shared_ptr<Communicator> make_nccl_communicator(std::shared_ptr<MpiCommunicator> mpi) {
  return std::make_shared<NcclCommunicator>(std::move(mpi));
}

}  // namespace varscope::dist
