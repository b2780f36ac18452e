// Tensor shapes with TensorFlow's partial-shape rules: a dimension may be unknown
// (kUnknownDim, printed "?"), and the rank itself may be unknown.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

namespace varscope {

inline constexpr std::int64_t kUnknownDim = -1;

class Shape {
 public:
  Shape() = default;  // a scalar: ()
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::vector<std::int64_t> dims);
  static Shape unknown_rank();

  bool has_rank() const { return known_rank_; }
  int rank() const;  // -1 when the rank is unknown
  const std::vector<std::int64_t>& dims() const { return dims_; }
  // vs::InvalidArgumentError when `i` is not in [0, rank()).
  std::int64_t dim(int i) const {
    if (i < 0 || static_cast<std::size_t>(i) >= dims_.size()) throw_bad_dim(i);
    return dims_[static_cast<std::size_t>(i)];
  }
  bool is_fully_defined() const;
  // Product of the dims; -1 unless fully defined.
  std::int64_t num_elements() const;
  // TF's TensorShape.is_compatible_with: unknown rank or unknown dims match anything.
  bool is_compatible_with(const Shape& other) const;

  // str(TensorShape) in TF1: "()", "(2,)", "(2, 3)", "(?, 3)", "<unknown>".
  std::string to_string() const;
  // The bracketed form TF uses in shape-inference errors: "[2,3]", "[?,3]", "?".
  std::string to_list_string() const;

  bool operator==(const Shape&) const = default;

 private:
  [[noreturn]] void throw_bad_dim(int i) const;

  bool known_rank_ = true;
  std::vector<std::int64_t> dims_;
};

inline std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << s.to_string();
}

}  // namespace varscope

#pragma GCC visibility pop
