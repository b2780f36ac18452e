// HostTensor: an owning host buffer with a dtype and a shape, the value side of the API:
// constants, feeds, fetched results, checkpoint entries. It knows nothing of graphs.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/shape.h"

namespace varscope {

// A string tensor (DType::kString, TF's DT_STRING) keeps its elements as std::string byte
// strings of any length, data<std::string>(); its numeric buffer (raw_data, nbytes) is empty.
class HostTensor {
 public:
  HostTensor() : HostTensor(DType::kFloat32, Shape()) {}
  // Zero-filled (strings: empty).
  HostTensor(DType dtype, Shape shape);

  // Scalars. A floating literal is float32, an integer literal int32, as Python
  // literals are in TensorFlow; use scalar<double>(x) for a float64.
  HostTensor(float v) : HostTensor(scalar<float>(v)) {}
  HostTensor(double v) : HostTensor(scalar<float>(static_cast<float>(v))) {}
  HostTensor(int v) : HostTensor(scalar<std::int32_t>(v)) {}
  HostTensor(std::int64_t v) : HostTensor(scalar<std::int64_t>(v)) {}
  HostTensor(bool v) : HostTensor(scalar<bool>(v)) {}
  // A string scalar (a string literal is a string, not the bool a pointer converts to).
  // Explicit from std::string, so that an overload on std::string_view stays unambiguous.
  HostTensor(const char* v) : HostTensor(scalar<std::string>(v)) {}
  explicit HostTensor(std::string v) : HostTensor(scalar<std::string>(std::move(v))) {}

  template <typename T>
  static HostTensor scalar(T value) {
    HostTensor t(dtype_of_v<T>, Shape());
    if constexpr (std::is_same_v<T, std::string>) {
      t.strings_[0] = std::move(value);
    } else {
      std::memcpy(t.raw_data(), &value, sizeof(T));
    }
    return t;
  }

  // Row-major values; values.size() must equal shape.num_elements().
  template <typename T>
  HostTensor(const std::vector<T>& values, Shape shape)
      : HostTensor(dtype_of_v<T>, std::move(shape)) {
    check_count(values.size());
    if constexpr (std::is_same_v<T, std::string>) {
      strings_ = values;
    } else if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < values.size(); ++i)
        bytes_[i] = std::byte(values[i] ? 1 : 0);
    } else if (!values.empty()) {  // memcpy from/to null is undefined even for 0 bytes
      std::memcpy(raw_data(), values.data(), values.size() * sizeof(T));
    }
  }
  // HostTensor({1.f, 2.f, 3.f, 4.f}, Shape{2, 2}): the element type picks the dtype.
  template <typename T>
  HostTensor(std::initializer_list<T> values, Shape shape)
      : HostTensor(std::vector<T>(values), std::move(shape)) {}
  // A vector: shape (values.size(),).
  template <typename T>
  explicit HostTensor(const std::vector<T>& values)
      : HostTensor(values, Shape{static_cast<std::int64_t>(values.size())}) {}

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t num_elements() const { return shape_.num_elements(); }
  // The numeric buffer's bytes; 0 for a string tensor (its bytes are in data<std::string>()).
  std::size_t nbytes() const { return bytes_.size(); }

  const void* raw_data() const { return bytes_.data(); }
  void* raw_data() { return bytes_.data(); }

  // Typed views; throw vs::InvalidArgumentError when T is not the dtype.
  template <typename T>
  std::span<const T> data() const {
    check_dtype(dtype_of_v<T>);
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_;
    } else {
      return {reinterpret_cast<const T*>(bytes_.data()), static_cast<std::size_t>(num_elements())};
    }
  }
  template <typename T>
  std::span<T> data() {
    check_dtype(dtype_of_v<T>);
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_;
    } else {
      return {reinterpret_cast<T*>(bytes_.data()), static_cast<std::size_t>(num_elements())};
    }
  }
  // Element i converted to double (any numeric dtype), for printing and comparisons;
  // vs::InvalidArgumentError for a string tensor.
  double element_as_double(std::int64_t i) const;
  // The same values in another numeric dtype (C++ conversion rules); a string tensor casts
  // only to string (else vs::UnimplementedError, as TF's Cast).
  HostTensor cast(DType dtype) const;

  // numpy-like text: "1.5", "[1 2 3]", "[[0.1 0.2]\n [0.3 0.4]]"; strings as Python's
  // bytes: "[b'loss' b'a\\x00b']".
  std::string to_string() const;

  bool operator==(const HostTensor& other) const {
    return dtype_ == other.dtype_ && shape_ == other.shape_ && bytes_ == other.bytes_ &&
           strings_ == other.strings_;
  }

 private:
  void check_count(std::size_t n) const;
  void check_dtype(DType requested) const;

  DType dtype_;
  Shape shape_;
  std::vector<std::byte> bytes_;
  std::vector<std::string> strings_;  // kString's elements (bytes_ is empty)
};

// The text of to_string(); past 1000 elements, numpy's summary: the first and last three
// entries of each long dimension around "...".
std::ostream& operator<<(std::ostream& os, const HostTensor& tensor);

}  // namespace varscope

#pragma GCC visibility pop
