// Select and SelectV2 on the device: one output element per step of a grid-stride loop
// (kernels/select.h; the CPU loop: host/runtime/cpu/select.cpp).
#include <cuda_runtime.h>

#include <type_traits>

#include "kernels/launch_common.cuh"
#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

template <typename T>
__global__ void select_kernel(
    SelectBroadcast bc, const bool* c, const T* t, const T* e, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    std::int64_t ci, ti, ei;
    bc.inputs_of(i, &ci, &ti, &ei);
    out[i] = select_value(c[ci], t[ti], e[ei]);
  }
}

}  // namespace

int launch_select(const SelectArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kNumericBoolTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    select_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
        a.broadcast, a.condition, static_cast<const T*>(a.t), static_cast<const T*>(a.e),
        static_cast<T*>(a.out), a.count);
  });
  return launched(ok);
}

}  // namespace varscope::kernels
