// Element types, named as TensorFlow names them.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace varscope {

enum class DType : std::uint8_t {
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kBool,
  kComplex64,
  // Byte strings (TF's DT_STRING): host-only, held by HostTensor::data<std::string>(); no
  // device ever holds one (docs/differences.md "Strings").
  kString,
};

// TF's DType.name: "float32", "int64", ...
std::string_view dtype_name(DType dtype);
// The dtype of a ref variable as TF prints it: "float32_ref".
std::string dtype_ref_name(DType dtype);
// TF's str(DType): "<dtype: 'float32'>".
std::string dtype_repr(DType dtype);
// Parses a name produced by dtype_name; throws vs::ValueError on anything else.
DType dtype_from_name(std::string_view name);

// Bytes per element; 0 for kString, whose elements have no fixed size (TF's DataTypeSize).
std::size_t dtype_size(DType dtype);
bool is_floating(DType dtype);
bool is_integer(DType dtype);  // signed or unsigned
bool is_complex(DType dtype);

inline std::ostream& operator<<(std::ostream& os, DType dtype) {
  return os << dtype_name(dtype);
}

template <typename T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::kFloat32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::kFloat64;
};
template <>
struct dtype_of<std::int8_t> {
  static constexpr DType value = DType::kInt8;
};
template <>
struct dtype_of<std::int16_t> {
  static constexpr DType value = DType::kInt16;
};
template <>
struct dtype_of<std::int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct dtype_of<std::int64_t> {
  static constexpr DType value = DType::kInt64;
};
template <>
struct dtype_of<std::uint8_t> {
  static constexpr DType value = DType::kUInt8;
};
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::kBool;
};
template <>
struct dtype_of<std::string> {
  static constexpr DType value = DType::kString;
};
template <typename T>
inline constexpr DType dtype_of_v = dtype_of<T>::value;

}  // namespace varscope

#pragma GCC visibility pop
