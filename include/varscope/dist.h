// Data-parallel training across processes with Horovod's TF1 API and names (issue 27).
//
// Two halves. The graph side is in the core library (it needs no MPI): the collective ops
// HorovodAllreduce and HorovodBroadcast, DistributedOptimizer, broadcast_global_variables,
// and the Communicator seam their kernels call at run time. The transport is the optional
// target varscope::dist (find_package(varscope COMPONENTS dist)): init() starts MPI (Open MPI
// for CPU sessions; NCCL for CUDA sessions where varscope is built with CUDA) and installs
// its communicator; rank(), size(), local_rank() and finalize() are there too.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/graph.h"
#include "varscope/tensor.h"
#include "varscope/train.h"
#include "varscope/variable.h"

namespace varscope::dist {

// Horovod's ReduceOp values (the HorovodAllreduce attribute reduce_op).
enum class ReduceOp : int { kAverage = 0, kSum = 1 };

// A tensor's memory as a collective kernel hands it to the communicator: host memory (CPU
// sessions), or device memory ordered on `stream` (a cudaStream_t; CUDA sessions).
struct CollectiveBuffer {
  void* data = nullptr;
  std::int64_t count = 0;  // elements
  DType dtype = DType::kFloat32;
  bool on_device = false;
  void* stream = nullptr;
};

// The seam between the collective kernels and a transport (MPI, NCCL, or a test's own).
// Every call is made by every rank, in the same order (the fingerprint check enforces it).
// A call that cannot complete throws a vs::Error (StatusCode::kDeadlineExceeded on a timeout).
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int local_rank() const = 0;
  virtual std::string name() const = 0;  // "MPI", "NCCL": messages
  // Whether allreduce/broadcast take device memory; if not, a CUDA session's kernel stages
  // the tensor through host memory.
  virtual bool accepts_device_memory() const { return false; }
  // In place: the sum (or the mean) of every rank's buffer.
  virtual void allreduce(const CollectiveBuffer& buffer, ReduceOp op) = 0;
  // In place: root's buffer on every rank.
  virtual void broadcast(const CollectiveBuffer& buffer, int root) = 0;
  // Every rank's bytes, in rank order (host memory; the plans' fingerprints).
  virtual std::vector<std::string> allgather(const std::string& mine) = 0;
};

// The process's communicator: set by init() (or a test); nullptr before.
void set_communicator(std::shared_ptr<Communicator> communicator);
std::shared_ptr<Communicator> communicator();

// Gradients are fused into buckets of at most this many bytes at plan time (one collective
// call per bucket). Horovod's HOROVOD_FUSION_THRESHOLD defaults to 128 MiB, PyTorch DDP's
// bucket_cap_mb to 25 MB; varscope's default is Horovod's. 0: one call per tensor. Read when a
// plan is built; a plan keeps the buckets it was built with.
inline constexpr std::size_t kDefaultFusionThreshold = std::size_t{128} << 20;
void set_fusion_threshold(std::size_t bytes);
std::size_t fusion_threshold();

// --- the graph side (core library) ---

// hvd.allreduce(tensor) inside `name`'s current scope: a HorovodAllreduce node named
// "HorovodAllreduce_<tensor name, [^A-Za-z0-9_] -> _>" (reduce_op, prescale_factor 1,
// postscale_factor 1, ignore_name_scope false, process_set_id 0).
Tensor allreduce(const Tensor& tensor, ReduceOp op = ReduceOp::kAverage);
// hvd.broadcast(tensor, root_rank): "HorovodBroadcast_<tensor name normalized>".
Tensor broadcast(const Tensor& tensor, int root_rank);
// Horovod's _normalize_name: every character outside [A-Za-z0-9_] replaced by '_'.
std::string normalize_name(std::string_view name);

// hvd.broadcast_global_variables(root_rank): for every global variable (trainable ones,
// slots, beta powers, the global step), var.assign(broadcast(var, root)), grouped:
// "HorovodBroadcast_<var>_0", "Assign", "Assign_1", ..., "group_deps". Run it after
// initialization and after a restore.
Operation broadcast_global_variables(Graph& g, int root_rank);

// hvd.DistributedOptimizer(inner, op=...): named "Distributed" + the inner optimizer's TF
// class name ("DistributedAdamOptimizer"). compute_gradients is the inner one's, then one
// allreduce per gradient in "<name>_Allreduce/cond/", "cond_1/", ... as Horovod >= 0.20
// names them (docs/differences.md: no Switch/Merge nodes are built); apply_gradients is
// the inner optimizer's, so slots, update ops and checkpoint keys are single-process TF1's.
// An IndexedSlices gradient is made dense first (Horovod's sparse_as_dense=True).
class DistributedOptimizer {
 public:
  explicit DistributedOptimizer(train::Optimizer& inner, ReduceOp op = ReduceOp::kAverage);

  std::vector<train::GradAndVar> compute_gradients(
      const Tensor& loss,
      const std::vector<Variable>& var_list = {},
      train::Optimizer::Gate gate = train::Optimizer::Gate::kOp);
  Operation apply_gradients(const std::vector<train::GradAndVar>& grads_and_vars,
                            const Variable& global_step = {},
                            std::string_view name = {});
  Operation minimize(const Tensor& loss,
                     const Variable& global_step = {},
                     const std::vector<Variable>& var_list = {},
                     std::string_view name = {});
  Variable get_slot(const Variable& var, std::string_view slot_name) const {
    return inner_.get_slot(var, slot_name);
  }
  const std::string& name() const { return name_; }

 private:
  train::Optimizer& inner_;
  ReduceOp op_;
  std::string name_;
};

// --- the transport (target varscope::dist) ---

struct InitOptions {
  // A collective (and the fingerprint exchange) not completed by every rank within this
  // many seconds raises a vs::Error of StatusCode::kDeadlineExceeded (CPU path).
  // VARSCOPE_DIST_TIMEOUT_S overrides it.
  double timeout_seconds = 60.0;
};
// hvd.init(): MPI_Init_thread unless the application initialized MPI. The rank and size are
// MPI's world (mpirun's); the local rank is Open MPI's OMPI_COMM_WORLD_LOCAL_RANK, else
// torchrun's LOCAL_RANK, else the rank among this node's processes. torchrun's RANK and
// WORLD_SIZE, where set, must agree with MPI's (E246). A second call does nothing.
void init(const InitOptions& options = {});
bool is_initialized();
int rank();
int size();
int local_rank();  // the GPU a CUDA session of this rank uses
// Drops the communicator and finalizes MPI (also done at exit).
void finalize();

}  // namespace varscope::dist

#pragma GCC visibility pop
