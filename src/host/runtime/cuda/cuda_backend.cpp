// The CUDA backend: everything on one stream; temporaries and variables from a stream-ordered
// pool the session owns (cudaMemPoolCreate), which keeps the session's memory between runs
// and gives it back when the session ends, without touching the device's default pool that
// other code allocates from; the kernels of src/kernels for the math, the random initializers
// in one pass. Every handle has an owner (cuda/handles.h); every entry point makes the
// backend's device current and gives the caller's back (cuda/device_guard.h).
#include <cublas_v2.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cuda/cublas_gemm.h"
#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/cudnn_ops.h"
#include "host/runtime/cuda/deferred_error.h"
#include "host/runtime/cuda/device_guard.h"
#include "host/runtime/cuda/handles.h"
#include "host/runtime/cuda/peer.h"
#include "host/runtime/dtype_dispatch.h"
#include "kernels/copy_launchers.h"
#include "kernels/launchers.h"
#include "kernels/training_launchers.h"
#include "varscope/device.h"

#if CUBLAS_VER_MAJOR < 12
#error "the CUDA backend needs cuBLAS 12 or later: matmul sizes use its 64-bit API (*_64)"
#endif

// The launchers return the cudaError_t of their launch as an int.
#define VARSCOPE_CHECK_LAUNCH(call) check_cuda(static_cast<cudaError_t>(call), #call)

namespace varscope::runtime {
namespace {

// An instantiated graph; the session destroys it before the backend.
class CudaGraph final : public Backend::Graph {
 public:
  explicit CudaGraph(cuda::GraphExec exec) : exec_(std::move(exec)) {}
  cudaGraphExec_t exec() const { return exec_.get(); }

 private:
  cuda::GraphExec exec_;
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, void* stream, bool allow_tf32) : device_(cuda::usable_device(device)) {
    const cuda::DeviceGuard on(device_);
    try {
      create(static_cast<cudaStream_t>(stream), allow_tf32);
    } catch (...) {
      release();  // on our device, before the guard gives the caller's back
      throw;
    }
  }

  ~CudaBackend() override {
    const cuda::DeviceGuard on(device_, std::nothrow);
    release();
  }

  DeviceKind kind() const override { return DeviceKind::kCuda; }
  std::string description() const override {
    return "CUDA device " + std::to_string(device_) + ": " + props_.name + " (sm_" +
           std::to_string(props_.major) + std::to_string(props_.minor) + ")";
  }

  void* allocate(std::size_t bytes) override {
    const cuda::DeviceGuard on = enter();
    const std::size_t size = std::max<std::size_t>(bytes, 1);
    void* p = nullptr;
    VARSCOPE_CHECK_CUDA_ALLOC(cudaMallocFromPoolAsync(&p, size, pool_.get(), stream_), bytes,
                              [this] { return description(); });
    return p;
  }
  void deallocate(void* ptr) noexcept override {
    if (ptr == nullptr) return;
    if (capturing_) {
      // A free while recording would become a graph node, and the recorded kernels may use
      // the buffer: keep it until the capture ends, and make that capture fail.
      capture_broken_ = true;
      try {
        freed_while_capturing_.push_back(ptr);
      } catch (...) {  // out of host memory: leak the buffer rather than free it under capture
      }
      return;
    }
    const cuda::DeviceGuard on(device_, std::nothrow);
    VARSCOPE_KEEP_CUDA_FAILURE(deferred_, cudaFreeAsync(ptr, stream_));
  }

  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    const cuda::DeviceGuard on = enter();
    if (bytes == 0) return;
    VARSCOPE_CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
    // The source is pageable host memory the caller may free right away.
    VARSCOPE_CHECK_CUDA(cudaStreamSynchronize(stream_));
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    const cuda::DeviceGuard on = enter();
    if (bytes == 0) return;
    VARSCOPE_CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
    VARSCOPE_CHECK_CUDA(cudaStreamSynchronize(stream_));
    raise_zero_divisor();
  }
  void copy(void* dst, const void* src, std::size_t bytes) override {
    const cuda::DeviceGuard on = enter();
    if (bytes == 0 || dst == src) return;
    VARSCOPE_CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_));
  }
  void fill(const kernels::FillArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_fill(a, stream_));
  }
  void random(const kernels::RandomArgs& a) override {
    const bool ints = a.spec.dist == kernels::RandomDistribution::kUniformInt;
    const bool ok = ints ? (a.dtype == DType::kInt32 || a.dtype == DType::kInt64)
                         : (a.dtype == DType::kFloat32 || a.dtype == DType::kFloat64);
    if (!ok) refuse_dtype("random values of dtype ", a.dtype);
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_random(a, stream_));
  }
  void binary(const kernels::BinaryArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_binary(a, zero_divisor_device_, stream_));
  }
  void unary(const kernels::UnaryArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_unary(a, stream_));
  }
  void select(const kernels::SelectArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_select(a, stream_));
  }
  void cast(const kernels::CastArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_cast(a, stream_));
  }
  void reduce(const kernels::ReduceArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_reduce(a, reduce_workspace_, stream_));
  }
  void arg_reduce(const kernels::ArgReduceArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_arg_reduce(a, stream_));
  }
  void scan(const kernels::ScanArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_scan(a, stream_));
  }
  void softmax(const kernels::SoftmaxArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_softmax(a, stream_));
  }
  void activation_grad(const kernels::ActivationGradArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_activation_grad(a, stream_));
  }
  void softmax_xent(const kernels::SoftmaxXentArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_softmax_xent(a, stream_));
  }
  void apply_update(const kernels::ApplyUpdateArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_apply_update(a, stream_));
  }
  void strided_copy(const kernels::StridedCopyArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_strided_copy(a, stream_));
  }
  void one_hot(const kernels::OneHotArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_one_hot(a, stream_));
  }
  void gather(const kernels::GatherArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_gather(a, stream_));
  }
  void segment_sum(const kernels::SegmentSumArgs& a) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_LAUNCH(kernels::launch_segment_sum(a, stream_));
  }

  void matmul(const kernels::MatMulArgs& a) override {
    const MatMulShape& s = a.shape;
    if (s.batch == 0 || s.m == 0 || s.n == 0) return;
    dispatch(kernels::kFloatTypes, a.dtype, "MatMul", [&](auto* tag) {
      const cuda::DeviceGuard on = enter();
      cuda::row_major_gemm<std::remove_pointer_t<decltype(tag)>>(blas_.get(), s, a.a, a.b, a.c);
    });
  }

  void conv2d(const kernels::Conv2DArgs& a) override {
    with_cudnn([&](cuda::CudnnContext& ctx) { cuda::cudnn_conv2d(ctx, a); });
  }
  void pool2d(const kernels::Pool2DArgs& a) override {
    with_cudnn([&](cuda::CudnnContext& ctx) { cuda::cudnn_pool2d(ctx, a); });
  }
  void batch_norm(const kernels::BatchNormArgs& a) override {
    with_cudnn([&](cuda::CudnnContext& ctx) { cuda::cudnn_batch_norm(ctx, a); });
  }

  // The session calls this on entry: it reports errors that predate the call, ours (a
  // failed free) and other code's, before any of our work could be blamed for them.
  void activate() override {
    cuda::raise_stale_error();
    deferred_.raise();
    // A division by zero of a run that failed before its final sync belonged to that run.
    if (zero_divisor_host_ != nullptr) *zero_divisor_host_ = 0;
  }

  void* native_stream() const override { return stream_; }

  // Several GPUs (cuda/peer.cpp): never run here, no GPU in CI.
  std::shared_ptr<void> record_event() override {
    const cuda::DeviceGuard on = enter();
    return cuda::record_event(stream_);
  }
  void wait_event(const std::shared_ptr<void>& event) override {
    const cuda::DeviceGuard on = enter();
    cuda::wait_event(stream_, event);
  }
  void copy_peer(void* dst, const void* src, std::size_t bytes) override {
    const cuda::DeviceGuard on = enter();
    cuda::copy_peer(stream_, dst, src, bytes);
  }
  void allow_peer(const Backend& peer) override {
    const auto* other = dynamic_cast<const CudaBackend*>(&peer);
    if (other == nullptr) throw InternalError("allow_peer: the peer is not a CUDA backend");
    const cuda::DeviceGuard on = enter();
    cuda::allow_peer(pool_.get(), device_, other->device_);
  }

  void synchronize() override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_CUDA(cudaStreamSynchronize(stream_));
    raise_zero_divisor();
  }

  // Only on a stream the session owns: while we record, work that other code enqueues on
  // the stream would be recorded into our graph instead of running.
  bool enable_graphs() override {
    if (!owned_stream_) return false;
    if (workspace_ == nullptr) {
      // cuBLAS must not allocate its workspace while recording: give it a fixed one, of the
      // size its docs recommend (32 MiB from Hopper on, 4 MiB before) and the 256-byte
      // alignment they require. Set after cublasSetStream, which resets it to the default.
      const std::size_t bytes = (props_.major >= 9 ? std::size_t{32} : std::size_t{4}) << 20;
      void* ws = allocate(bytes);
      if (reinterpret_cast<std::uintptr_t>(ws) % 256 != 0) {
        deallocate(ws);
        throw InternalError(
            "cudaMallocFromPoolAsync returned a workspace not aligned to 256 bytes");
      }
      const cuda::DeviceGuard on(device_);
      const cublasStatus_t status = cuda::cublas().set_workspace(blas_.get(), ws, bytes);
      if (status != CUBLAS_STATUS_SUCCESS) deallocate(ws);
      VARSCOPE_CHECK_CUBLAS(status);
      workspace_ = ws;
    }
    return true;
  }

  void begin_capture() override {
    const cuda::DeviceGuard on = enter();
    // ThreadLocal: a call from this thread that cannot be recorded (one that waits for the
    // stream, cudaMalloc) fails and invalidates the capture, which we then detect, instead
    // of running outside the graph unnoticed (Relaxed); and unlike Global, the capture does
    // not make other threads' (other sessions') calls fail.
    VARSCOPE_CHECK_CUDA(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
    capturing_ = true;
    capture_broken_ = false;
  }

  std::unique_ptr<Graph> end_capture() override {
    const cuda::DeviceGuard on(device_, std::nothrow);  // the stream leaves capture either way
    cuda::Graph graph;
    const cudaError_t err = cudaStreamEndCapture(stream_, graph.replace());
    stop_capturing();
    if (err == cudaSuccess && graph && capture_broken_) {
      throw InternalError("A device buffer was freed while a graph was being recorded");
    }
    if (err != cudaSuccess || !graph) {
      // An invalidated capture ends with a null graph (and usually an error code).
      graph.reset();
      abort_capture();  // should the stream still be capturing; clears the error too
      throw InternalError(cuda_error_text(
          "cudaStreamEndCapture", err == cudaSuccess ? cudaErrorStreamCaptureInvalidated : err));
    }
    std::size_t nodes = 0;
    VARSCOPE_CHECK_CUDA(cudaGraphGetNodes(graph.get(), nullptr, &nodes));
    if (nodes == 0) return nullptr;
    cuda::GraphExec exec;
    VARSCOPE_CHECK_CUDA(cudaGraphInstantiateWithFlags(exec.replace(), graph.get(), 0));
    return std::make_unique<CudaGraph>(std::move(exec));
  }

  void abort_capture() noexcept override {
    const cuda::DeviceGuard on(device_, std::nothrow);
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(stream_, &status) == cudaSuccess &&
        status != cudaStreamCaptureStatusNone) {
      cuda::Graph graph;
      cudaStreamEndCapture(stream_, graph.replace());  // active or invalidated: either way it ends
    }
    stop_capturing();
    cudaGetLastError();  // the failure that brought us here is not sticky: clear it
  }

  void launch(Graph& graph) override {
    const cuda::DeviceGuard on = enter();
    VARSCOPE_CHECK_CUDA(cudaGraphLaunch(static_cast<CudaGraph&>(graph).exec(), stream_));
  }

 private:
  // Every entry point that can throw: first the failure a noexcept call kept, then our device.
  cuda::DeviceGuard enter() {
    deferred_.raise();
    return cuda::DeviceGuard(device_);
  }
  // A cuDNN call on our device and stream, with our memory and handle (made on first use).
  template <typename Call>
  void with_cudnn(Call&& call) {
    const cuda::DeviceGuard on = enter();
    cuda::CudnnContext ctx{
        .stream = stream_, .memory = this, .handle = &dnn_, .allow_tf32 = allow_tf32_};
    call(ctx);
  }

  // An integer division by zero on the device sets the mapped flag; after a stream sync
  // (a run's end, a fetch) it is reported as the CPU reports it before the op
  // (docs/kernels.md, "Integer division").
  void raise_zero_divisor() {
    if (zero_divisor_host_ == nullptr || *zero_divisor_host_ == 0) return;
    *zero_divisor_host_ = 0;
    throw InvalidArgumentError("Integer division by zero");
  }

  // The constructor's work, on our device; on a throw the constructor releases what was made.
  void create(cudaStream_t stream, bool allow_tf32) {
    VARSCOPE_CHECK_CUDA(cudaGetDeviceProperties(&props_, device_));
    if (stream != nullptr) {
      stream_ = stream;
    } else {
      VARSCOPE_CHECK_CUDA(
          cudaStreamCreateWithFlags(owned_stream_.replace(), cudaStreamNonBlocking));
      stream_ = owned_stream_.get();
    }
    cudaMemPoolProps props{};
    props.allocType = cudaMemAllocationTypePinned;
    props.handleTypes = cudaMemHandleTypeNone;
    props.location.type = cudaMemLocationTypeDevice;
    props.location.id = device_;
    VARSCOPE_CHECK_CUDA(cudaMemPoolCreate(pool_.replace(), &props));
    // The pool is ours alone: keeping what the session freed for its next run starves no
    // one else's cudaMalloc beyond the session's own peak, and ends with the session.
    std::uint64_t keep_all = UINT64_MAX;
    VARSCOPE_CHECK_CUDA(
        cudaMemPoolSetAttribute(pool_.get(), cudaMemPoolAttrReleaseThreshold, &keep_all));
    // Pinned host memory the kernels write through (no copy, no sync, capturable).
    void* flag = nullptr;
    VARSCOPE_CHECK_CUDA(cudaHostAlloc(&flag, sizeof(int), cudaHostAllocMapped));
    zero_divisor_host_ = static_cast<volatile int*>(flag);
    *zero_divisor_host_ = 0;
    void* flag_device = nullptr;
    VARSCOPE_CHECK_CUDA(cudaHostGetDevicePointer(&flag_device, flag, 0));
    zero_divisor_device_ = static_cast<int*>(flag_device);
    // Fixed scratch for the all-reduce's partial sums: allocated once, never under capture.
    VARSCOPE_CHECK_CUDA(cudaMallocFromPoolAsync(
        &reduce_workspace_, kernels::reduce_workspace_bytes(), pool_.get(), stream_));
    VARSCOPE_CHECK_CUDA(cudaStreamSynchronize(stream_));
    const cuda::CublasApi& api = cuda::cublas();  // opened here, by the first CUDA session
    VARSCOPE_CHECK_CUBLAS(api.create(blas_.replace()));
    VARSCOPE_CHECK_CUBLAS(api.set_stream(blas_.get(), stream_));
    allow_tf32_ = allow_tf32;
    // TF32 only when asked: by default float32 matmuls keep float32 precision.
    VARSCOPE_CHECK_CUBLAS(api.set_math_mode(
        blas_.get(), allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  }

  // Teardown, with our device current: queued work finishes before the handles it uses go;
  // the pool goes last. Failures are dropped (after a sticky error every call fails).
  void release() noexcept {
    if (stream_ != nullptr) ignore_cuda_failure(cudaStreamSynchronize(stream_));
    blas_.reset();
    cuda::destroy_cudnn(std::exchange(dnn_, nullptr));
    if (workspace_ != nullptr) {
      ignore_cuda_failure(cudaFreeAsync(std::exchange(workspace_, nullptr), stream_));
      ignore_cuda_failure(cudaStreamSynchronize(stream_));
    }
    if (reduce_workspace_ != nullptr) {
      ignore_cuda_failure(cudaFreeAsync(std::exchange(reduce_workspace_, nullptr), stream_));
      ignore_cuda_failure(cudaStreamSynchronize(stream_));
    }
    if (zero_divisor_host_ != nullptr) {
      ignore_cuda_failure(
          cudaFreeHost(const_cast<int*>(std::exchange(zero_divisor_host_, nullptr))));
      zero_divisor_device_ = nullptr;
    }
    owned_stream_.reset();
    stream_ = nullptr;
    pool_.reset();
  }

  // Out of capture mode: the frees deferred during it happen now, in stream order.
  void stop_capturing() noexcept {
    capturing_ = false;
    for (void* p : freed_while_capturing_)
      VARSCOPE_KEEP_CUDA_FAILURE(deferred_, cudaFreeAsync(p, stream_));
    freed_while_capturing_.clear();
  }

  const int device_;
  cudaDeviceProp props_{};
  cudaStream_t stream_ = nullptr;  // owned_stream_'s, or the caller's (SessionOptions::stream)
  cuda::Stream owned_stream_;
  cuda::MemPool pool_;
  cuda::Blas blas_;
  cudnnHandle_t dnn_ = nullptr;  // made by the first convolution or pool (cudnn_ops.cpp)
  bool allow_tf32_ = false;
  void* workspace_ = nullptr;                  // cuBLAS's, from pool_, once graphs are enabled
  void* reduce_workspace_ = nullptr;           // kernels::reduce_workspace_bytes(), from pool_
  volatile int* zero_divisor_host_ = nullptr;  // mapped pinned memory: set by the kernels
  int* zero_divisor_device_ = nullptr;
  cuda::DeferredError deferred_;
  bool capturing_ = false;  // between begin_capture and end_capture / abort_capture
  bool capture_broken_ = false;
  std::vector<void*> freed_while_capturing_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(int device, void* stream, bool allow_tf32) {
  return std::make_unique<CudaBackend>(device, stream, allow_tf32);
}

}  // namespace varscope::runtime
