#include "varscope/host_tensor.h"

#include <unistd.h>

#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include "host/core/byte_size.h"
#include "host/core/element_text.h"

namespace varscope {
namespace {

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return std::bit_cast<float>(sign);
    float v = std::ldexp(static_cast<float>(mant), -24);  // subnormal
    return sign ? -v : v;
  }
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

std::uint16_t float_to_half(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>(sign | 0x7e00u);
  if (a >= 65520.0f) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (a < 6.103515625e-05f) {  // subnormal half: round to a multiple of 2^-24
    return static_cast<std::uint16_t>(sign |
                                      static_cast<std::uint16_t>(std::nearbyint(a * 16777216.0f)));
  }
  std::uint32_t bits = std::bit_cast<std::uint32_t>(a);
  bits += 0x0fffu + ((bits >> 13) & 1u);  // round to nearest even at bit 13
  return static_cast<std::uint16_t>(sign | (((bits >> 23) - 112) << 10) | ((bits >> 13) & 0x3ffu));
}

float bf16_to_float(std::uint16_t b) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

std::uint16_t float_to_bf16(float f) {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(bits >> 16);
}

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void store(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

double read_element(DType dtype, const std::byte* p) {
  switch (dtype) {
    case DType::kFloat16:
      return half_to_float(load<std::uint16_t>(p));
    case DType::kBFloat16:
      return bf16_to_float(load<std::uint16_t>(p));
    case DType::kFloat32:
      return load<float>(p);
    case DType::kFloat64:
      return load<double>(p);
    case DType::kInt8:
      return load<std::int8_t>(p);
    case DType::kInt16:
      return load<std::int16_t>(p);
    case DType::kInt32:
      return load<std::int32_t>(p);
    case DType::kInt64:
      return static_cast<double>(load<std::int64_t>(p));
    case DType::kUInt8:
      return load<std::uint8_t>(p);
    case DType::kBool:
      return load<std::uint8_t>(p) != 0 ? 1.0 : 0.0;
    case DType::kComplex64:
      return load<float>(p);  // the real part
    case DType::kString:
      break;  // element_as_double refuses strings before reading
  }
  return 0.0;
}

void write_element(DType dtype, std::byte* p, double v) {
  switch (dtype) {
    case DType::kFloat16:
      store(p, float_to_half(static_cast<float>(v)));
      return;
    case DType::kBFloat16:
      store(p, float_to_bf16(static_cast<float>(v)));
      return;
    case DType::kFloat32:
      store(p, static_cast<float>(v));
      return;
    case DType::kFloat64:
      store(p, v);
      return;
    case DType::kInt8:
      store(p, static_cast<std::int8_t>(v));
      return;
    case DType::kInt16:
      store(p, static_cast<std::int16_t>(v));
      return;
    case DType::kInt32:
      store(p, static_cast<std::int32_t>(v));
      return;
    case DType::kInt64:
      store(p, static_cast<std::int64_t>(v));
      return;
    case DType::kUInt8:
      store(p, static_cast<std::uint8_t>(v));
      return;
    case DType::kBool:
      store(p, static_cast<std::uint8_t>(v != 0.0));
      return;
    case DType::kComplex64:
      store(p, static_cast<float>(v));
      store(p + 4, 0.0f);
      return;
    case DType::kString:
      return;  // cast refuses strings before writing
  }
}

// The bytes of `count` std::string objects; vs::ResourceExhaustedError when that overflows.
std::size_t string_objects_size(std::int64_t count) {
  const auto n = static_cast<std::uint64_t>(count);  // count >= 0: the shape is fully defined
  if (n > std::numeric_limits<std::size_t>::max() / sizeof(std::string)) {
    throw ResourceExhaustedError("OOM when allocating " + std::to_string(count) +
                                 " elements of string: the size overflows");
  }
  return static_cast<std::size_t>(n) * sizeof(std::string);
}

}  // namespace

HostTensor::HostTensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (!shape_.is_fully_defined()) {
    throw ValueError("A HostTensor needs a fully defined shape, got " + shape_.to_string());
  }
  // A string tensor's elements are std::string objects (their bytes come later, as each is
  // set): the objects are what this allocates.
  const std::size_t bytes = dtype_ == DType::kString
                                ? string_objects_size(shape_.num_elements())
                                : detail::byte_size(shape_.num_elements(), dtype_);
  // More than the machine's memory can never succeed; refuse it before asking (a sanitizer's
  // allocator would abort instead of throwing std::bad_alloc).
  static const std::size_t physical = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) *
                                      static_cast<std::size_t>(sysconf(_SC_PAGE_SIZE));
  if (bytes > physical) {
    throw ResourceExhaustedError("OOM when allocating " + std::to_string(bytes) +
                                 " bytes of host memory");
  }
  try {
    if (dtype_ == DType::kString) {
      strings_.resize(static_cast<std::size_t>(shape_.num_elements()));
    } else {
      bytes_.resize(bytes);
    }
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("OOM when allocating " + std::to_string(bytes) +
                                 " bytes of host memory");
  }
}

void HostTensor::check_count(std::size_t n) const {
  if (static_cast<std::int64_t>(n) != shape_.num_elements()) {
    throw InvalidArgumentError("HostTensor: " + std::to_string(n) + " values for shape " +
                               shape_.to_string() + ", which holds " +
                               std::to_string(shape_.num_elements()));
  }
}

void HostTensor::check_dtype(DType requested) const {
  if (requested != dtype_) {
    throw InvalidArgumentError("HostTensor holds " + std::string(dtype_name(dtype_)) + ", not " +
                               std::string(dtype_name(requested)));
  }
}

double HostTensor::element_as_double(std::int64_t i) const {
  if (dtype_ == DType::kString) {
    throw InvalidArgumentError("HostTensor holds string, not numbers: read data<std::string>()");
  }
  if (i < 0 || i >= num_elements()) throw InvalidArgumentError("HostTensor index out of range");
  return read_element(dtype_, bytes_.data() + static_cast<std::size_t>(i) * dtype_size(dtype_));
}

HostTensor HostTensor::cast(DType dtype) const {
  if (dtype == dtype_) return *this;
  if (dtype == DType::kString || dtype_ == DType::kString) {
    throw UnimplementedError("Cast " + std::string(dtype_name(dtype_)) + " to " +
                             std::string(dtype_name(dtype)) + " is not supported");
  }
  HostTensor out(dtype, shape_);
  const std::size_t in_size = dtype_size(dtype_);
  const std::size_t out_size = dtype_size(dtype);
  for (std::size_t k = 0; k < static_cast<std::size_t>(num_elements()); ++k) {
    const std::byte* src = bytes_.data() + k * in_size;
    std::byte* dst = out.bytes_.data() + k * out_size;
    if (dtype_ == DType::kInt64 && is_integer(dtype)) {
      // Through double would round int64 values beyond 2^53.
      write_element(dtype, dst, 0.0);
      const std::int64_t v = load<std::int64_t>(src);
      switch (dtype) {
        case DType::kInt8:
          store(dst, static_cast<std::int8_t>(v));
          break;
        case DType::kInt16:
          store(dst, static_cast<std::int16_t>(v));
          break;
        case DType::kInt32:
          store(dst, static_cast<std::int32_t>(v));
          break;
        case DType::kUInt8:
          store(dst, static_cast<std::uint8_t>(v));
          break;
        default:
          break;
      }
    } else {
      write_element(dtype, dst, read_element(dtype_, src));
    }
  }
  return out;
}

std::string HostTensor::to_string() const {
  std::ostringstream os;
  const auto& dims = shape_.dims();
  const std::size_t rank = dims.size();
  const std::int64_t n = num_elements();
  auto element = [&](std::int64_t i) { detail::write_element_text(os, *this, i); };
  if (rank == 0) {
    element(0);
    return os.str();
  }
  if (n == 0) return std::string(rank, '[') + std::string(rank, ']');
  // block[d]: elements in one sub-array at depth d; a sub-array closes after its last one.
  std::vector<std::int64_t> block(rank + 1, 1);
  for (std::size_t d = rank; d-- > 0;)
    block[d] = block[d + 1] * dims[d];
  os << std::string(rank, '[');
  for (std::int64_t i = 0; i < n; ++i) {
    element(i);
    if (i == n - 1) break;
    std::size_t closes = 0;
    for (std::size_t d = 1; d < rank; ++d) {
      if ((i + 1) % block[d] == 0) ++closes;
    }
    if (closes == 0) {
      os << ' ';
    } else {
      os << std::string(closes, ']') << std::string(closes, '\n') << std::string(rank - closes, ' ')
         << std::string(closes, '[');
    }
  }
  os << std::string(rank, ']');
  return os.str();
}

}  // namespace varscope
