// The private interface both backends implement: memory, copies, fills, random
// initializers, elementwise math. Work is enqueued in order on one stream (the CPU
// backend runs it immediately); copy_to_host waits for everything before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kernels/elementwise.h"
#include "kernels/random.h"
#include "kernels/reduce.h"
#include "kernels/training.h"
#include "kernels/unary.h"
#include "varscope/device.h"
#include "varscope/dtype.h"
#include "varscope/errors.h"

namespace varscope::runtime {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual DeviceKind kind() const = 0;
  virtual std::string description() const = 0;

  // Throws vs::ResourceExhaustedError naming the bytes requested; the backend stays usable.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void deallocate(void* ptr) noexcept = 0;

  virtual void copy_from_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, std::size_t bytes) = 0;
  // `count` elements of `element_size` bytes, each a copy of `pattern` (host memory).
  virtual void fill(void* dst,
                    const void* pattern,
                    std::size_t element_size,
                    std::int64_t count) = 0;

  // One random op in one pass: elements [0, count) of `out` from the Philox words
  // spec.offset, spec.offset + 1, ... of the stream spec.seed, as cuRAND's generator makes
  // them (kernels/philox.h), transformed per kernels/random.h. Float distributions fill
  // float32/float64, kUniformInt int32/int64; exactly `count` elements are written.
  virtual void random(const kernels::RandomSpec& spec,
                      DType dtype,
                      void* out,
                      std::int64_t count) = 0;

  virtual void binary(kernels::BinaryOp op,
                      DType dtype,
                      const kernels::Broadcast& broadcast,
                      const void* x,
                      const void* y,
                      void* out,
                      std::int64_t count) = 0;

  virtual void unary(
      kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count) = 0;
  virtual void cast(DType from, DType to, const void* x, void* out, std::int64_t count) = 0;
  virtual void reduce(kernels::ReduceOp op,
                      DType dtype,
                      const kernels::Reduction& reduction,
                      const void* x,
                      void* out,
                      std::int64_t out_count) = 0;
  virtual void softmax(
      DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) = 0;

  // Training (kernels/training.h); backends without them (test stand-ins) throw
  // vs::UnimplementedError (backend_training.cpp). ReluGrad, SigmoidGrad, TanhGrad of two
  // same-shape inputs.
  virtual void activation_grad(kernels::ActivationGrad op,
                               DType dtype,
                               const void* a,
                               const void* b,
                               void* out,
                               std::int64_t count);
  // Softmax cross-entropy of rows x cols logits: loss [rows], backprop [rows, cols]. Dense
  // labels have the logits' dtype; sparse ones (`label_dtype` int32/int64) are class ids the
  // caller checked to lie in [0, cols).
  virtual void softmax_xent(DType dtype,
                            DType label_dtype,
                            bool sparse,
                            const void* logits,
                            const void* labels,
                            void* loss,
                            void* backprop,
                            std::int64_t rows,
                            std::int64_t cols);
  // One optimizer step in one pass over the variable, its slots (null where the rule has
  // none) and the gradient.
  virtual void apply_update(kernels::UpdateRule rule,
                            DType dtype,
                            const kernels::UpdateScalars& scalars,
                            void* var,
                            void* slot1,
                            void* slot2,
                            const void* grad,
                            std::int64_t count);

  // Row-major C[b] = op(A[b]) x op(B[b]) for b < batch, with op(A) m x k and op(B) k x n.
  // A stride of 0 reuses one matrix for every batch element (broadcast).
  struct MatMulShape {
    std::int64_t batch = 1, m = 0, n = 0, k = 0;
    bool transpose_a = false, transpose_b = false;
    std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // in elements
  };
  virtual void matmul(
      DType dtype, const MatMulShape& shape, const void* a, const void* b, void* c) = 0;

  virtual void synchronize() = 0;
  // The cudaStream_t all work goes to (Session::stream); nullptr where there is none.
  virtual void* native_stream() const { return nullptr; }
  // Makes this backend's device the calling thread's current one (a session may be used from
  // any thread, after anything changed the device); the session calls it on every entry.
  virtual void activate() {}

  // Graph capture (SessionOptions::use_cuda_graph): the work one run enqueues is recorded
  // once, then replayed with one launch. The executor calls the methods below only after
  // enable_graphs() returned true.
  class Graph {  // an instantiated recording (a cudaGraphExec_t); destroyed by its destructor
   public:
    virtual ~Graph() = default;
  };
  // Prepares this backend for capture; false where it cannot capture (the CPU backend has
  // no launches to save).
  virtual bool enable_graphs() { return false; }
  // From here to end_capture, work is recorded, not run. Until then nothing may allocate,
  // free, copy to or from the host or synchronize: the executor never does.
  virtual void begin_capture() { throw InternalError("this backend cannot capture graphs"); }
  // Stops recording and instantiates what was recorded; nullptr when nothing was. Throws
  // vs::InternalError when the capture failed; the stream is out of capture mode either way.
  virtual std::unique_ptr<Graph> end_capture() {
    throw InternalError("this backend cannot capture graphs");
  }
  // Leaves capture mode after an exception between begin_capture and end_capture, dropping
  // the recording; does nothing when not capturing.
  virtual void abort_capture() noexcept {}
  // Enqueues one replay of `graph` (a Graph from this backend).
  virtual void launch(Graph& /*graph*/) {
    throw InternalError("this backend cannot launch graphs");
  }
};

// cpu_threads: SessionOptions::cpu_threads (0: automatic; cpu/thread_count.h). Throws
// vs::InvalidArgumentError for a bad count there or in VARSCOPE_CPU_THREADS.
std::unique_ptr<Backend> make_cpu_backend(int cpu_threads = 0);
// Throws vs::UnavailableError when the device cannot be used (or CUDA is compiled out).
std::unique_ptr<Backend> make_cuda_backend(int device, void* stream, bool allow_tf32);

}  // namespace varscope::runtime
