// The one dtype dispatch: from a DType to the C++ type the kernels compute in. Both backends
// use it (the CPU loops, the .cu launchers); it throws nothing, so each caller says what a
// dtype outside the list means (the host: host/runtime/dispatch.h; a launcher: an error code).
// Header-only, no CUDA headers.
#pragma once

#include <cstdint>

#include "varscope/dtype.h"

namespace varscope::kernels {

// A list of the C++ element types an operation computes in.
template <typename... Ts>
struct TypeList {};

inline constexpr TypeList<float, double> kFloatTypes{};
inline constexpr TypeList<std::int32_t, std::int64_t> kIntegerTypes{};
inline constexpr TypeList<float, double, std::int32_t, std::int64_t> kNumericTypes{};
inline constexpr TypeList<bool> kBoolTypes{};
inline constexpr TypeList<float, double, std::int32_t, std::int64_t, bool> kNumericBoolTypes{};

// Calls f(static_cast<T*>(nullptr)) with T the type of the list whose dtype is `dtype`, and
// returns true; false, with nothing called, when no type of the list has that dtype.
template <typename... Ts, typename F>
inline bool dispatch(TypeList<Ts...> /*types*/, DType dtype, F&& f) {
  return ((dtype == dtype_of_v<Ts> && (f(static_cast<Ts*>(nullptr)), true)) || ...);
}

}  // namespace varscope::kernels
