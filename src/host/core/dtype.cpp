#include "varscope/dtype.h"

#include <array>

#include "varscope/errors.h"

namespace varscope {
namespace {

struct DTypeTraits {
  DType dtype;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DTypeTraits, 12> kTraits = {{
    {DType::kFloat16, "float16", 2},
    {DType::kBFloat16, "bfloat16", 2},
    {DType::kFloat32, "float32", 4},
    {DType::kFloat64, "float64", 8},
    {DType::kInt8, "int8", 1},
    {DType::kInt16, "int16", 2},
    {DType::kInt32, "int32", 4},
    {DType::kInt64, "int64", 8},
    {DType::kUInt8, "uint8", 1},
    {DType::kBool, "bool", 1},
    {DType::kComplex64, "complex64", 8},
    {DType::kString, "string", 0},
}};

const DTypeTraits& traits(DType dtype) {
  return kTraits.at(static_cast<std::size_t>(dtype));
}

}  // namespace

std::string_view dtype_name(DType dtype) {
  return traits(dtype).name;
}

std::string dtype_ref_name(DType dtype) {
  return std::string(dtype_name(dtype)) + "_ref";
}

std::string dtype_repr(DType dtype) {
  return "<dtype: '" + std::string(dtype_name(dtype)) + "'>";
}

DType dtype_from_name(std::string_view name) {
  for (const auto& t : kTraits) {
    if (t.name == name) return t.dtype;
  }
  throw ValueError("Unknown dtype name '" + std::string(name) + "'");
}

std::size_t dtype_size(DType dtype) {
  return traits(dtype).size;
}

bool is_floating(DType dtype) {
  return dtype == DType::kFloat16 || dtype == DType::kBFloat16 || dtype == DType::kFloat32 ||
         dtype == DType::kFloat64;
}

bool is_integer(DType dtype) {
  return dtype == DType::kInt8 || dtype == DType::kInt16 || dtype == DType::kInt32 ||
         dtype == DType::kInt64 || dtype == DType::kUInt8;
}

bool is_complex(DType dtype) {
  return dtype == DType::kComplex64;
}

}  // namespace varscope
