// DeviceTensorView: a caller's device buffer seen as a tensor (pointer, dtype, shape), for
// feeding a CUDA session from device memory and fetching into it with no host round trip.
// It owns nothing: the buffer must outlive every use the session makes of it (see the stream
// contract in session.h). CUDA sessions only; a CPU session refuses it (vs::InvalidArgumentError).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <utility>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/shape.h"
#include "varscope/tensor.h"

namespace varscope {

struct DeviceTensorView {
  // Device memory of the session's device (cudaMalloc, cudaMallocAsync, a pool, managed
  // memory), row-major, dense. As a feed it is only read.
  void* data = nullptr;
  DType dtype = DType::kFloat32;
  Shape shape;  // fully defined
};

// Device buffers for placeholders (or any tensor) for one Session::run_async.
using DeviceFeedDict = std::vector<std::pair<Tensor, DeviceTensorView>>;

}  // namespace varscope

#pragma GCC visibility pop
