#include "dist/nccl_communicator.h"

#include <cuda_runtime.h>
#include <dlfcn.h>
#include <nccl.h>

#include <mutex>
#include <string>

#include "varscope/errors.h"

namespace varscope::dist {
namespace {

const char* const kLibrary = "libnccl.so.2";

struct NcclApi {
  decltype(&ncclGetUniqueId) get_unique_id = nullptr;
  decltype(&ncclCommInitRank) comm_init_rank = nullptr;
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
    resolve(library, "ncclCommInitRank", a.comm_init_rank);
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
    check_nccl(nccl().all_reduce(b.data, b.data, static_cast<std::size_t>(b.count),
                                 nccl_type(b.dtype), op == ReduceOp::kAverage ? ncclAvg : ncclSum,
                                 comm(), static_cast<cudaStream_t>(b.stream)),
               "ncclAllReduce");
  }
  void broadcast(const CollectiveBuffer& b, int root) override {
    if (!b.on_device) return mpi_->broadcast(b, root);
    check_nccl(
        nccl().broadcast(b.data, b.data, static_cast<std::size_t>(b.count), nccl_type(b.dtype),
                         root, comm(), static_cast<cudaStream_t>(b.stream)),
        "ncclBroadcast");
  }
  std::vector<std::string> allgather(const std::string& mine) override {
    return mpi_->allgather(mine);
  }

 private:
  // Made on the first device collective, on the calling session's device (NCCL refuses two
  // ranks on one GPU: "Duplicate GPU detected").
  ncclComm_t comm() {
    std::lock_guard<std::mutex> lock(mu_);
    if (comm_ != nullptr) return comm_;
    ncclUniqueId id{};
    if (mpi_->rank() == 0) check_nccl(nccl().get_unique_id(&id), "ncclGetUniqueId");
    mpi_->broadcast_bytes(&id, static_cast<int>(sizeof id), 0);
    check_nccl(nccl().comm_init_rank(&comm_, mpi_->size(), id, mpi_->rank()), "ncclCommInitRank");
    return comm_;
  }
  std::shared_ptr<MpiCommunicator> mpi_;
  ncclComm_t comm_ = nullptr;
  std::mutex mu_;
};

}  // namespace

std::shared_ptr<Communicator> make_nccl_communicator(std::shared_ptr<MpiCommunicator> mpi) {
  return std::make_shared<NcclCommunicator>(std::move(mpi));
}

}  // namespace varscope::dist
