// The CUDA backend: everything on one stream; temporaries and variables from a
// stream-ordered pool (cudaMallocAsync) whose release threshold is raised so steady-state
// runs never return memory to the driver; the kernels of src/kernels for the math and
// the one-pass random initializers.
#include <cublas_v2.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cuda/cuda_check.h"
#include "kernels/launchers.h"

namespace varscope::runtime {
namespace {

void check_cublas(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw InternalError(std::string(call) + " failed: " + cublasGetStatusName(status) + " (" +
                        cublasGetStatusString(status) + ")");
  }
}

void check_launch(int err, const char* kernel) {
  check_cuda(static_cast<cudaError_t>(err), kernel);
}

// For the graph calls, whose failures the executor survives (it falls back to plain
// launches): a failed runtime call is also the thread's "last error", which the next kernel
// launch's check would report as its own. Those errors are not sticky: clear it.
void check_graph_call(cudaError_t err, const char* call) {
  if (err != cudaSuccess) {
    cudaGetLastError();
    throw InternalError(cuda_error_text(call, err));
  }
}

// An instantiated graph; the session destroys it before the backend. An in-flight launch
// is not cut short: CUDA frees the executable graph when it completes.
class CudaGraph final : public Backend::Graph {
 public:
  explicit CudaGraph(cudaGraphExec_t exec) : exec_(exec) {}
  ~CudaGraph() override { cudaGraphExecDestroy(exec_); }
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;
  cudaGraphExec_t exec() const { return exec_; }

 private:
  cudaGraphExec_t exec_;
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(int device, void* stream, bool allow_tf32) : device_(device) {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      cudaGetLastError();
      throw UnavailableError("CUDA was requested but is not usable: " +
                             cuda_error_text("cudaGetDeviceCount", err));
    }
    if (device < 0 || device >= count) {
      throw UnavailableError("CUDA device " + std::to_string(device) + " was requested but " +
                             std::to_string(count) + " device(s) are present");
    }
    check_cuda(cudaSetDevice(device), "cudaSetDevice");
    check_cuda(cudaGetDeviceProperties(&props_, device), "cudaGetDeviceProperties");
    if (stream != nullptr) {
      stream_ = static_cast<cudaStream_t>(stream);
    } else {
      check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking),
                 "cudaStreamCreateWithFlags");
      owns_stream_ = true;
    }
    cudaMemPool_t pool;
    check_cuda(cudaDeviceGetDefaultMemPool(&pool, device), "cudaDeviceGetDefaultMemPool");
    std::uint64_t threshold = UINT64_MAX;
    check_cuda(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold),
               "cudaMemPoolSetAttribute(cudaMemPoolAttrReleaseThreshold)");
    check_cublas(cublasCreate(&blas_), "cublasCreate");
    check_cublas(cublasSetStream(blas_, stream_), "cublasSetStream");
    // TF32 only when asked: by default float32 matmuls keep float32 precision.
    check_cublas(
        cublasSetMathMode(blas_, allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
  }

  ~CudaBackend() override {
    // Destructors never throw; after a sticky error the calls below fail harmlessly.
    cudaSetDevice(device_);
    if (blas_) cublasDestroy(blas_);
    if (workspace_) cudaFreeAsync(workspace_, stream_);
    cudaStreamSynchronize(stream_);
    if (owns_stream_) cudaStreamDestroy(stream_);
  }

  DeviceKind kind() const override { return DeviceKind::kCuda; }
  std::string description() const override {
    return "CUDA device " + std::to_string(device_) + ": " + props_.name + " (sm_" +
           std::to_string(props_.major) + std::to_string(props_.minor) + ")";
  }

  void* allocate(std::size_t bytes) override {
    void* p = nullptr;
    cudaError_t err = cudaMallocAsync(&p, bytes == 0 ? 1 : bytes, stream_);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so the session stays usable
      throw ResourceExhaustedError("OOM when allocating " + std::to_string(bytes) + " bytes on " +
                                   description() + ": " + cuda_error_text("cudaMallocAsync", err));
    }
    check_cuda(err, "cudaMallocAsync");
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
    cudaFreeAsync(ptr, stream_);
  }

  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    if (bytes == 0) return;
    check_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_),
               "cudaMemcpyAsync(H2D)");
    // The source is pageable host memory the caller may free right away.
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    if (bytes == 0) return;
    check_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync(D2H)");
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }
  void copy(void* dst, const void* src, std::size_t bytes) override {
    if (bytes == 0 || dst == src) return;
    check_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_),
               "cudaMemcpyAsync(D2D)");
  }
  void fill(void* dst, const void* pattern, std::size_t element_size, std::int64_t count) override {
    check_launch(kernels::launch_fill(dst, pattern, element_size, count, stream_), "fill_kernel");
  }

  void random(const kernels::RandomSpec& spec,
              DType dtype,
              void* out,
              std::int64_t count) override {
    const bool ints = spec.dist == kernels::RandomDistribution::kUniformInt;
    const bool ok = ints ? (dtype == DType::kInt32 || dtype == DType::kInt64)
                         : (dtype == DType::kFloat32 || dtype == DType::kFloat64);
    if (!ok) throw UnimplementedError("random values of dtype " + std::string(dtype_name(dtype)));
    check_launch(kernels::launch_random(spec, dtype, out, count, stream_), "random_kernel");
  }
  void binary(kernels::BinaryOp op,
              DType dtype,
              const kernels::Broadcast& bc,
              const void* x,
              const void* y,
              void* out,
              std::int64_t count) override {
    check_launch(kernels::launch_binary(op, dtype, bc, x, y, out, count, stream_), "binary_kernel");
  }

  void unary(
      kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count) override {
    check_launch(kernels::launch_unary(op, dtype, x, out, count, stream_), "unary_kernel");
  }
  void cast(DType from, DType to, const void* x, void* out, std::int64_t count) override {
    check_launch(kernels::launch_cast(from, to, x, out, count, stream_), "cast_kernel");
  }
  void reduce(kernels::ReduceOp op,
              DType dtype,
              const kernels::Reduction& red,
              const void* x,
              void* out,
              std::int64_t out_count) override {
    check_launch(kernels::launch_reduce(op, dtype, red, x, out, out_count, stream_),
                 "reduce_kernel");
  }
  void softmax(
      DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) override {
    check_launch(kernels::launch_softmax(dtype, x, out, rows, cols, stream_), "softmax_kernel");
  }

  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
  void matmul(DType dtype, const MatMulShape& s, const void* a, const void* b, void* c) override {
    if (s.m == 0 || s.n == 0) return;
    const cublasOperation_t ta = s.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t tb = s.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
    const int lda = static_cast<int>(s.transpose_a ? s.m : s.k);
    const int ldb = static_cast<int>(s.transpose_b ? s.k : s.n);
    if (dtype == DType::kFloat32) {
      const float one = 1.0f, zero = 0.0f;
      check_cublas(cublasSgemmStridedBatched(
                       blas_, tb, ta, n, m, k, &one, static_cast<const float*>(b), ldb, s.stride_b,
                       static_cast<const float*>(a), lda, s.stride_a, &zero, static_cast<float*>(c),
                       n, s.stride_c, static_cast<int>(s.batch)),
                   "cublasSgemmStridedBatched");
    } else if (dtype == DType::kFloat64) {
      const double one = 1.0, zero = 0.0;
      check_cublas(cublasDgemmStridedBatched(
                       blas_, tb, ta, n, m, k, &one, static_cast<const double*>(b), ldb, s.stride_b,
                       static_cast<const double*>(a), lda, s.stride_a, &zero,
                       static_cast<double*>(c), n, s.stride_c, static_cast<int>(s.batch)),
                   "cublasDgemmStridedBatched");
    } else {
      throw UnimplementedError("MatMul on " + std::string(dtype_name(dtype)));
    }
  }

  void activate() override { check_cuda(cudaSetDevice(device_), "cudaSetDevice"); }

  void synchronize() override {
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

  // Only on a stream the session owns: while we record, work that other code enqueues on
  // the stream would be recorded into our graph instead of running.
  bool enable_graphs() override {
    if (!owns_stream_) return false;
    if (workspace_ == nullptr) {
      // cuBLAS must not allocate its workspace while recording: give it a fixed one, of the
      // size its docs recommend (32 MiB from Hopper on, 4 MiB before) and the 256-byte
      // alignment they require. Set after cublasSetStream, which resets it to the default.
      const std::size_t bytes = (props_.major >= 9 ? std::size_t{32} : std::size_t{4}) << 20;
      void* ws = allocate(bytes);
      if (reinterpret_cast<std::uintptr_t>(ws) % 256 != 0) {
        deallocate(ws);
        throw InternalError("cudaMallocAsync returned a workspace not aligned to 256 bytes");
      }
      const cublasStatus_t status = cublasSetWorkspace(blas_, ws, bytes);
      if (status != CUBLAS_STATUS_SUCCESS) deallocate(ws);
      check_cublas(status, "cublasSetWorkspace");
      workspace_ = ws;
    }
    return true;
  }

  void begin_capture() override {
    // ThreadLocal: a call from this thread that cannot be recorded (one that waits for the
    // stream, cudaMalloc) fails and invalidates the capture, which we then detect, instead
    // of running outside the graph unnoticed (Relaxed); and unlike Global, the capture does
    // not make other threads' (other sessions') calls fail.
    check_graph_call(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal),
                     "cudaStreamBeginCapture");
    capturing_ = true;
    capture_broken_ = false;
  }

  std::unique_ptr<Graph> end_capture() override {
    cudaGraph_t graph = nullptr;
    const cudaError_t err = cudaStreamEndCapture(stream_, &graph);
    stop_capturing();
    if (err == cudaSuccess && graph != nullptr && capture_broken_) {
      cudaGraphDestroy(graph);
      throw InternalError("A device buffer was freed while a graph was being recorded");
    }
    if (err != cudaSuccess || graph == nullptr) {
      // An invalidated capture ends with a null graph (and usually an error code).
      if (graph != nullptr) cudaGraphDestroy(graph);
      abort_capture();  // should the stream still be capturing; clears the error too
      throw InternalError(cuda_error_text(
          "cudaStreamEndCapture", err == cudaSuccess ? cudaErrorStreamCaptureInvalidated : err));
    }
    // The executable graph is independent of the captured one: destroy that on every path.
    struct Destroy {
      void operator()(cudaGraph_t g) const noexcept { cudaGraphDestroy(g); }
    };
    const std::unique_ptr<CUgraph_st, Destroy> owner(graph);
    std::size_t nodes = 0;
    check_graph_call(cudaGraphGetNodes(graph, nullptr, &nodes), "cudaGraphGetNodes");
    if (nodes == 0) return nullptr;
    cudaGraphExec_t exec = nullptr;
    check_graph_call(cudaGraphInstantiateWithFlags(&exec, graph, 0),
                     "cudaGraphInstantiateWithFlags");
    return std::make_unique<CudaGraph>(exec);
  }

  // Out of capture mode: the frees deferred during it happen now, in stream order.
  void stop_capturing() noexcept {
    capturing_ = false;
    for (void* p : freed_while_capturing_)
      cudaFreeAsync(p, stream_);
    freed_while_capturing_.clear();
  }

  void abort_capture() noexcept override {
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(stream_, &status) == cudaSuccess &&
        status != cudaStreamCaptureStatusNone) {
      cudaGraph_t graph = nullptr;
      cudaStreamEndCapture(stream_, &graph);  // active or invalidated: either way it ends
      if (graph != nullptr) cudaGraphDestroy(graph);
    }
    stop_capturing();
    cudaGetLastError();  // the failure that brought us here is not sticky: clear it
  }

  void launch(Graph& graph) override {
    check_graph_call(cudaGraphLaunch(static_cast<CudaGraph&>(graph).exec(), stream_),
                     "cudaGraphLaunch");
  }

 private:
  int device_;
  cudaDeviceProp props_{};
  cudaStream_t stream_ = nullptr;
  bool owns_stream_ = false;
  cublasHandle_t blas_ = nullptr;
  void* workspace_ = nullptr;  // cuBLAS's, once graphs are enabled
  bool capturing_ = false;     // between begin_capture and end_capture / abort_capture
  bool capture_broken_ = false;
  std::vector<void*> freed_while_capturing_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(int device, void* stream, bool allow_tf32) {
  return std::make_unique<CudaBackend>(device, stream, allow_tf32);
}

}  // namespace varscope::runtime
