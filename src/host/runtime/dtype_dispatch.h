// The host's side of kernels/dtype_dispatch.h: the same dispatch, and the one error a
// backend gives for a dtype it does not compute.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "kernels/dtype_dispatch.h"
#include "varscope/dtype.h"
#include "varscope/errors.h"

namespace varscope::runtime {

// vs::UnimplementedError "<what><dtype>", e.g. ("softmax on ", float16).
[[noreturn]] inline void refuse_dtype(std::string_view what, DType dtype) {
  throw UnimplementedError(std::string(what) + std::string(dtype_name(dtype)));
}

// kernels::dispatch(types, dtype, f), or vs::UnimplementedError "<what> on <dtype>" for a
// dtype outside `types`.
template <typename Types, typename F>
void dispatch(Types types, DType dtype, std::string_view what, F&& f) {
  if (!kernels::dispatch(types, dtype, std::forward<F>(f))) {
    refuse_dtype(std::string(what) + " on ", dtype);
  }
}

}  // namespace varscope::runtime
