// TensorProto -> HostTensor, as TF's Tensor::FromProto reads a Const's value.
#include "host/io/tensor_proto.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "host/io/tf/bundle.h"
#include "varscope/errors.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;

[[noreturn]] void bad(const std::string& node, const std::string& what) {
  throw InvalidArgumentError("Node '" + node + "': Unable to parse tensor proto: " + what);
}

// Copies `count` values of a repeated field into `out` (n elements of type T), converting
// each with `cast`; TF's FromProtoField: zeros when empty, the last value repeated when short.
template <typename T, typename Field, typename Cast>
void fill_from_field(
    const Field& field, std::int64_t count, HostTensor& out, const std::string& node, Cast cast) {
  const std::int64_t n = out.num_elements();
  if (count > n) {
    bad(node, "too many values: " + std::to_string(count) + " for a tensor of " +
                  std::to_string(n) + " elements");
  }
  T* dst = static_cast<T*>(out.raw_data());
  std::int64_t i = 0;
  for (; i < count; ++i)
    dst[i] = cast(field, i);
  const T last = count > 0 ? dst[count - 1] : T{};
  for (; i < n; ++i)
    dst[i] = last;
}

// A string tensor: its string_val with TF's fill rule, each string's bytes counted against
// TF's 2 GB limit before anything is allocated.
HostTensor strings_from_proto(const tfp::TensorProto& proto,
                              const Shape& shape,
                              const std::string& node) {
  const std::int64_t n = shape.num_elements();
  const std::int64_t count = proto.string_val_size();
  if (count > n) {
    bad(node, "too many values: " + std::to_string(count) + " for a tensor of " +
                  std::to_string(n) + " elements");
  }
  // n first: the objects' bytes cannot overflow after it; the strings' (each under 2 GB, at
  // most 2^31 of them) fit an int64 too.
  const auto too_large = [&] {
    bad(node, "a constant of shape " + shape.to_string() +
                  " is larger than 2GB, TF's largest in a GraphDef");
  };
  if (n > kMaxConstBytes / static_cast<std::int64_t>(sizeof(std::string))) too_large();
  std::int64_t bytes = n * static_cast<std::int64_t>(sizeof(std::string));
  for (const std::string& s : proto.string_val())
    bytes += static_cast<std::int64_t>(s.size());
  if (bytes > kMaxConstBytes) too_large();
  HostTensor out(DType::kString, shape);
  const auto dst = out.data<std::string>();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t from = std::min(i, count - 1);
    if (from >= 0) dst[static_cast<std::size_t>(i)] = proto.string_val(static_cast<int>(from));
  }
  return out;
}

}  // namespace

Shape shape_from_proto(const tfp::TensorShapeProto& proto, const std::string& node) {
  if (proto.unknown_rank()) return Shape::unknown_rank();
  std::vector<std::int64_t> dims;
  dims.reserve(static_cast<std::size_t>(proto.dim_size()));
  for (const auto& d : proto.dim()) {
    if (d.size() < -1) {
      throw InvalidArgumentError("Node '" + node + "': Shape " + std::to_string(d.size()) +
                                 " is not a valid dimension: dimensions must be >= -1");
    }
    dims.push_back(d.size());
  }
  return Shape(std::move(dims));
}

HostTensor tensor_from_proto(const tfp::TensorProto& proto, const std::string& node) {
  const std::optional<DType> dtype = tf::from_tf_dtype(proto.dtype());
  if (!dtype) bad(node, "varscope has no dtype for TF's DataType " + std::to_string(proto.dtype()));
  const Shape shape = shape_from_proto(proto.tensor_shape(), node);
  if (!shape.is_fully_defined()) bad(node, "shape " + shape.to_string() + " is not fully defined");
  const std::int64_t n = shape.num_elements();  // InvalidArgumentError on overflow
  if (*dtype == DType::kString) return strings_from_proto(proto, shape, node);
  const auto esize = static_cast<std::int64_t>(dtype_size(*dtype));
  if (n > kMaxConstBytes / esize) {
    bad(node, "a constant of shape " + shape.to_string() +
                  " is larger than 2GB, TF's largest in a GraphDef");
  }
  const std::string& content = proto.tensor_content();
  if (!content.empty()) {
    if (static_cast<std::int64_t>(content.size()) != n * esize) {
      bad(node, "tensor_content holds " + std::to_string(content.size()) + " bytes, " +
                    std::string(dtype_name(*dtype)) + " " + shape.to_string() + " needs " +
                    std::to_string(n * esize));
    }
    HostTensor out(*dtype, shape);
    std::memcpy(out.raw_data(), content.data(), content.size());
    return out;
  }
  HostTensor out(*dtype, shape);
  const auto plain = [](const auto& field, std::int64_t i) {
    return field.Get(static_cast<int>(i));
  };
  switch (*dtype) {
    case DType::kFloat32:
      fill_from_field<float>(proto.float_val(), proto.float_val_size(), out, node, plain);
      break;
    case DType::kFloat64:
      fill_from_field<double>(proto.double_val(), proto.double_val_size(), out, node, plain);
      break;
    case DType::kInt32:
      fill_from_field<std::int32_t>(proto.int_val(), proto.int_val_size(), out, node, plain);
      break;
    case DType::kInt16:
      fill_from_field<std::int16_t>(proto.int_val(), proto.int_val_size(), out, node,
                                    [](const auto& f, std::int64_t i) {
                                      return static_cast<std::int16_t>(f.Get(static_cast<int>(i)));
                                    });
      break;
    case DType::kInt8:
      fill_from_field<std::int8_t>(proto.int_val(), proto.int_val_size(), out, node,
                                   [](const auto& f, std::int64_t i) {
                                     return static_cast<std::int8_t>(f.Get(static_cast<int>(i)));
                                   });
      break;
    case DType::kUInt8:
      fill_from_field<std::uint8_t>(proto.int_val(), proto.int_val_size(), out, node,
                                    [](const auto& f, std::int64_t i) {
                                      return static_cast<std::uint8_t>(f.Get(static_cast<int>(i)));
                                    });
      break;
    case DType::kInt64:
      fill_from_field<std::int64_t>(proto.int64_val(), proto.int64_val_size(), out, node, plain);
      break;
    case DType::kBool:
      fill_from_field<bool>(proto.bool_val(), proto.bool_val_size(), out, node, plain);
      break;
    case DType::kFloat16:
    case DType::kBFloat16:  // TF keeps both as their 16 bits in half_val
      fill_from_field<std::uint16_t>(
          proto.half_val(), proto.half_val_size(), out, node, [](const auto& f, std::int64_t i) {
            return static_cast<std::uint16_t>(f.Get(static_cast<int>(i)));
          });
      break;
    case DType::kComplex64: {
      // Pairs of floats (real, imaginary); an odd count is TF's error too.
      if (proto.scomplex_val_size() % 2 != 0)
        bad(node, "scomplex_val holds an odd count of floats");
      struct C {
        float re, im;
      };
      fill_from_field<C>(
          proto.scomplex_val(), proto.scomplex_val_size() / 2, out, node,
          [](const auto& f, std::int64_t i) {
            return C{f.Get(static_cast<int>(2 * i)), f.Get(static_cast<int>(2 * i + 1))};
          });
      break;
    }
    case DType::kString:
      break;  // strings_from_proto, above
  }
  return out;
}

}  // namespace varscope::io
