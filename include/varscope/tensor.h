// Values and graph handles.
//   HostTensor: an owning host buffer with a dtype and a shape (constants, fetched results).
//   Operation, Tensor: cheap handles to a node of a Graph and to one of its outputs.
// Handles never dangle: using one after its graph is gone throws vs::FailedPreconditionError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/shape.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
}  // namespace detail

class Graph;

class HostTensor {
 public:
  HostTensor() : HostTensor(DType::kFloat32, Shape()) {}
  // Zero-filled.
  HostTensor(DType dtype, Shape shape);

  // Scalars. A floating literal is float32, an integer literal int32, as Python
  // literals are in TensorFlow; use scalar<double>(x) for a float64.
  HostTensor(float v) : HostTensor(scalar<float>(v)) {}
  HostTensor(double v) : HostTensor(scalar<float>(static_cast<float>(v))) {}
  HostTensor(int v) : HostTensor(scalar<std::int32_t>(v)) {}
  HostTensor(std::int64_t v) : HostTensor(scalar<std::int64_t>(v)) {}
  HostTensor(bool v) : HostTensor(scalar<bool>(v)) {}

  template <typename T>
  static HostTensor scalar(T value) {
    HostTensor t(dtype_of_v<T>, Shape());
    std::memcpy(t.raw_data(), &value, sizeof(T));
    return t;
  }

  // Row-major values; values.size() must equal shape.num_elements().
  template <typename T>
  HostTensor(const std::vector<T>& values, Shape shape)
      : HostTensor(dtype_of_v<T>, std::move(shape)) {
    check_count(values.size());
    if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < values.size(); ++i)
        bytes_[i] = std::byte(values[i] ? 1 : 0);
    } else if (!values.empty()) {  // memcpy from/to null is undefined even for 0 bytes
      std::memcpy(raw_data(), values.data(), values.size() * sizeof(T));
    }
  }
  // A vector: shape (values.size(),).
  template <typename T>
  explicit HostTensor(const std::vector<T>& values)
      : HostTensor(values, Shape{static_cast<std::int64_t>(values.size())}) {}

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t num_elements() const { return shape_.num_elements(); }
  std::size_t nbytes() const { return bytes_.size(); }

  const void* raw_data() const { return bytes_.data(); }
  void* raw_data() { return bytes_.data(); }

  // Typed views; throw vs::InvalidArgumentError when T is not the dtype.
  template <typename T>
  std::span<const T> data() const {
    check_dtype(dtype_of_v<T>);
    return {reinterpret_cast<const T*>(bytes_.data()), static_cast<std::size_t>(num_elements())};
  }
  template <typename T>
  std::span<T> data() {
    check_dtype(dtype_of_v<T>);
    return {reinterpret_cast<T*>(bytes_.data()), static_cast<std::size_t>(num_elements())};
  }
  // Element i converted to double (any numeric dtype), for printing and comparisons.
  double element_as_double(std::int64_t i) const;
  // The same values in another numeric dtype (C++ conversion rules).
  HostTensor cast(DType dtype) const;

  // numpy-like text: "1.5", "[1 2 3]", "[[0.1 0.2]\n [0.3 0.4]]".
  std::string to_string() const;

  bool operator==(const HostTensor& other) const {
    return dtype_ == other.dtype_ && shape_ == other.shape_ && bytes_ == other.bytes_;
  }

 private:
  void check_count(std::size_t n) const;
  void check_dtype(DType requested) const;

  DType dtype_;
  Shape shape_;
  std::vector<std::byte> bytes_;
};

class Tensor;

class Operation {
 public:
  Operation() = default;

  std::string name() const;
  std::string type() const;
  int num_inputs() const;
  Tensor input(int i) const;
  int num_outputs() const;
  Tensor output(int i = 0) const;
  std::vector<Operation> control_inputs() const;
  Graph graph() const;

  // Attributes by TF's attr name ("seed", "seed2", "dtype", "transpose_a", ...);
  // vs::NotFoundError when absent, vs::InvalidArgumentError when of another kind.
  bool has_attr(const std::string& name) const;
  std::int64_t attr_int(const std::string& name) const;
  double attr_float(const std::string& name) const;
  bool attr_bool(const std::string& name) const;
  DType attr_dtype(const std::string& name) const;
  Shape attr_shape(const std::string& name) const;
  HostTensor attr_tensor(const std::string& name) const;
  std::vector<std::string> attr_strings(const std::string& name) const;

  bool valid() const { return node_ >= 0; }
  int id() const { return node_; }
  bool operator==(const Operation& o) const { return node_ == o.node_ && same_graph(o.graph_); }

 private:
  friend struct detail::Access;
  friend class Tensor;
  Operation(std::weak_ptr<detail::GraphImpl> g, int node) : graph_(std::move(g)), node_(node) {}
  bool same_graph(const std::weak_ptr<detail::GraphImpl>& other) const {
    return !graph_.owner_before(other) && !other.owner_before(graph_);
  }

  std::weak_ptr<detail::GraphImpl> graph_;
  int node_ = -1;
};

class Tensor {
 public:
  Tensor() = default;

  // "<op name>:<output index>", e.g. "v_scope/Weights:0".
  std::string name() const;
  Operation op() const { return Operation(graph_, node_); }
  int value_index() const { return index_; }
  DType dtype() const;
  Shape shape() const;
  Graph graph() const;

  bool valid() const { return node_ >= 0; }
  bool operator==(const Tensor& o) const { return index_ == o.index_ && op() == o.op(); }

 private:
  friend struct detail::Access;
  friend class Operation;
  Tensor(std::weak_ptr<detail::GraphImpl> g, int node, int index)
      : graph_(std::move(g)), node_(node), index_(index) {}

  std::weak_ptr<detail::GraphImpl> graph_;
  int node_ = -1;
  int index_ = 0;
};

}  // namespace varscope
