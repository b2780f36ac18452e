// The private interface both backends implement: memory, copies and the compute operations
// (fills, random initializers, elementwise math, reductions, softmax, training, matmul).
// Work is enqueued in order on one stream (the CPU backend runs it immediately);
// copy_to_host waits for everything before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kernels/copy.h"
#include "kernels/op_args.h"
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

  // The compute operations, one argument struct each (kernels/op_args.h says what each
  // field means); a dtype an operation does not compute is vs::UnimplementedError.
  virtual void fill(const kernels::FillArgs& args) = 0;
  virtual void random(const kernels::RandomArgs& args) = 0;
  virtual void binary(const kernels::BinaryArgs& args) = 0;
  virtual void unary(const kernels::UnaryArgs& args) = 0;
  virtual void select(const kernels::SelectArgs& args) = 0;
  virtual void cast(const kernels::CastArgs& args) = 0;
  virtual void reduce(const kernels::ReduceArgs& args) = 0;
  // ArgMax/ArgMin and Cumsum along one axis (kernels/axis_ops.h).
  virtual void arg_reduce(const kernels::ArgReduceArgs& args) = 0;
  virtual void scan(const kernels::ScanArgs& args) = 0;
  virtual void softmax(const kernels::SoftmaxArgs& args) = 0;
  virtual void activation_grad(const kernels::ActivationGradArgs& args) = 0;
  virtual void softmax_xent(const kernels::SoftmaxXentArgs& args) = 0;
  virtual void apply_update(const kernels::ApplyUpdateArgs& args) = 0;
  virtual void matmul(const kernels::MatMulArgs& args) = 0;
  // Convolution and pooling (oneDNN on the CPU, cuDNN on the GPU).
  virtual void conv2d(const kernels::Conv2DArgs& args) = 0;
  virtual void pool2d(const kernels::Pool2DArgs& args) = 0;
  virtual void batch_norm(const kernels::BatchNormArgs& args) = 0;
  using MatMulShape = kernels::MatMulShape;  // the name the GEMM code uses
  // The data-movement ops' copies (transpose, concat, gather, ...; kernels/copy.h).
  virtual void strided_copy(const kernels::StridedCopyArgs& args) = 0;
  virtual void gather(const kernels::GatherArgs& args) = 0;
  virtual void segment_sum(const kernels::SegmentSumArgs& args) = 0;
  virtual void one_hot(const kernels::OneHotArgs& args) = 0;

  virtual void synchronize() = 0;
  // The cudaStream_t all work goes to (Session::stream); nullptr where there is none.
  virtual void* native_stream() const { return nullptr; }
  // Makes this backend's device the calling thread's current one (a session may be used from
  // any thread, after anything changed the device); the session calls it on every entry.
  virtual void activate() {}

  // Sessions of several GPUs (device_count {"GPU": n}: one backend per device). A value
  // crossing devices is copied on the destination's stream, ordered by events, never by a
  // host wait (device_backends.cpp). The CPU backend runs work when called: no events.
  // An event marking the work enqueued on this backend so far; nullptr where there is none.
  virtual std::shared_ptr<void> record_event() { return nullptr; }
  // Work enqueued on this backend from now on waits for `event` (from record_event of any
  // backend of the session; nullptr: nothing to wait for).
  virtual void wait_event(const std::shared_ptr<void>& /*event*/) {}
  // `dst` (this backend's memory) = `src`, memory of another device of the session, enqueued
  // on this backend's stream. The caller orders it after the source's producer.
  virtual void copy_peer(void* dst, const void* src, std::size_t bytes) { copy(dst, src, bytes); }
  // Lets `peer`'s device reach this backend's memory directly where the hardware can (P2P);
  // where it cannot, copy_peer still works (staged by the driver).
  virtual void allow_peer(const Backend& /*peer*/) {}

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
