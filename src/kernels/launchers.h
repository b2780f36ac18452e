// Host-callable launchers of the device kernels (launchers.cu). They take the stream as
// an opaque pointer and return the launch's cudaError_t as an int, so that callers need
// no CUDA headers and check every launch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/elementwise.h"
#include "kernels/random.h"
#include "kernels/reduce.h"
#include "kernels/unary.h"
#include "varscope/dtype.h"

namespace varscope::kernels {

int launch_fill(
    void* dst, const void* pattern, std::size_t element_size, std::int64_t count, void* stream);
// One random op in one pass (kernels/random.h); exactly `count` elements are written.
int launch_random(const RandomSpec& spec, DType dtype, void* out, std::int64_t count, void* stream);
// An integer division by zero sets *zero_divisor (device-visible memory) to 1.
int launch_binary(BinaryOp op,
                  DType dtype,
                  const Broadcast& broadcast,
                  const void* x,
                  const void* y,
                  void* out,
                  std::int64_t count,
                  int* zero_divisor,
                  void* stream);

int launch_unary(
    UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count, void* stream);
int launch_cast(DType from, DType to, const void* x, void* out, std::int64_t count, void* stream);
// `workspace`: reduce_workspace_bytes() of device memory for an all-reduce's partial sums.
inline constexpr int kMaxReducePartials = 1024;
std::size_t reduce_workspace_bytes();
int launch_reduce(ReduceOp op,
                  DType dtype,
                  const Reduction& reduction,
                  const void* x,
                  void* out,
                  std::int64_t out_count,
                  void* workspace,
                  void* stream);
int launch_softmax(
    DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols, void* stream);

}  // namespace varscope::kernels
