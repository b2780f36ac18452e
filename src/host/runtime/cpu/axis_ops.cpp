// ArgMax/ArgMin, Cumsum and Cumprod on the CPU: kernels/axis_ops.h's line functions, the lines
// ([outer, inner] of them) split over the pool.
#include <algorithm>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {

void arg_reduce(const kernels::ArgReduceArgs& a) {
  const std::int64_t lines = a.outer * a.inner;
  if (lines == 0 || a.n == 0) return;
  const std::int64_t min_lines = std::max<std::int64_t>(1, kMinElementsPerThread / a.n);
  dispatch(kernels::kNumericTypes, a.dtype, "ArgMax", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    dispatch(kernels::kIntegerTypes, a.index_dtype, "ArgMax output", [&](auto* index_tag) {
      using I = std::remove_pointer_t<decltype(index_tag)>;
      const T* x = static_cast<const T*>(a.x);
      I* out = static_cast<I*>(a.out);
      parallel_for(lines, min_lines, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t line = b; line < e; ++line)
          kernels::arg_reduce_line(a.op, x, out, line, a.n, a.inner);
      });
    });
  });
}

void scan(const kernels::ScanArgs& a) {
  const std::int64_t lines = a.outer * a.inner;
  if (lines == 0 || a.n == 0) return;
  const std::int64_t min_lines = std::max<std::int64_t>(1, kMinElementsPerThread / a.n);
  const char* what = a.op == kernels::ReduceOp::kProd ? "Cumprod" : "Cumsum";
  dispatch(kernels::kNumericTypes, a.dtype, what, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* x = static_cast<const T*>(a.x);
    T* out = static_cast<T*>(a.out);
    parallel_for(lines, min_lines, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t line = b; line < e; ++line)
        kernels::scan_line(a.op, x, out, line, a.n, a.inner, a.exclusive, a.reverse);
    });
  });
}

}  // namespace varscope::runtime::cpu
