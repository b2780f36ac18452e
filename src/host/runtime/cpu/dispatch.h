// Calls f(static_cast<T*>(nullptr)) with T the C++ type of a numeric dtype.
#pragma once

#include <cstdint>
#include <string>

#include "varscope/dtype.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {

template <typename F>
void dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32:
      return f(static_cast<float*>(nullptr));
    case DType::kFloat64:
      return f(static_cast<double*>(nullptr));
    case DType::kInt32:
      return f(static_cast<std::int32_t*>(nullptr));
    case DType::kInt64:
      return f(static_cast<std::int64_t*>(nullptr));
    default:
      throw UnimplementedError("ops on " + std::string(dtype_name(dtype)));
  }
}

}  // namespace varscope::runtime::cpu
