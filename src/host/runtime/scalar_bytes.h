// One element of a dtype holding a value, as Backend::fill takes its pattern: the constants
// the executor makes on the device (ones, zeros, a reduction's count).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "varscope/dtype.h"
#include "varscope/errors.h"

namespace varscope::detail {

struct ScalarBytes {
  unsigned char bytes[8] = {};
  std::size_t size = 0;
};

inline ScalarBytes scalar_bytes(DType dtype, double v) {
  ScalarBytes s;
  auto put = [&](auto x) {
    std::memcpy(s.bytes, &x, sizeof x);
    s.size = sizeof x;
  };
  if (dtype == DType::kFloat32) {
    put(static_cast<float>(v));
  } else if (dtype == DType::kFloat64) {
    put(v);
  } else if (dtype == DType::kInt32) {
    put(static_cast<std::int32_t>(v));
  } else if (dtype == DType::kInt64) {
    put(static_cast<std::int64_t>(v));
  } else {
    throw UnimplementedError("training ops on " + std::string(dtype_name(dtype)));
  }
  return s;
}

}  // namespace varscope::detail
