// Select and SelectV2 on the CPU: rows of the innermost dimension, each input moving with
// stride 0 or 1 along it, so that the common cases (the same shape, a scalar branch) are
// vectorized loops like the binary ops'.
#include <algorithm>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

template <typename T>
VS_CPU_CLONES void select_run(const bool* c,
                              bool c_moves,
                              const T* t,
                              bool t_moves,
                              const T* e,
                              bool e_moves,
                              T* o,
                              std::int64_t len) {
  if (c_moves && t_moves && e_moves) {
    for (std::int64_t j = 0; j < len; ++j)
      o[j] = c[j] ? t[j] : e[j];
    return;
  }
  for (std::int64_t j = 0; j < len; ++j)
    o[j] = c[c_moves ? j : 0] ? t[t_moves ? j : 0] : e[e_moves ? j : 0];
}

}  // namespace

void select(const kernels::SelectArgs& a) {
  if (a.count <= 0) return;
  const kernels::SelectBroadcast& bc = a.broadcast;
  dispatch(kernels::kNumericBoolTypes, a.dtype, "Select", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* t = static_cast<const T*>(a.t);
    const T* e = static_cast<const T*>(a.e);
    T* o = static_cast<T*>(a.out);
    if (bc.rank == 0) {
      o[0] = a.condition[0] ? t[0] : e[0];
      return;
    }
    const int last = bc.rank - 1;
    const std::int64_t inner = bc.out_dims[last];
    const std::int64_t rows = a.count / inner;
    const std::int64_t min_rows = std::max<std::int64_t>(1, kMinElementsPerThread / inner);
    parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t end) {
      for (std::int64_t row = b; row < end; ++row) {
        std::int64_t ci, ti, ei;
        bc.inputs_of(row * inner, &ci, &ti, &ei);
        select_run(a.condition + ci, bc.strides[0][last] != 0, t + ti, bc.strides[1][last] != 0,
                   e + ei, bc.strides[2][last] != 0, o + row * inner, inner);
      }
    });
  });
}

}  // namespace varscope::runtime::cpu
