#include "varscope/shape.h"

#include "varscope/errors.h"

namespace varscope {
namespace {

void check_dims(const std::vector<std::int64_t>& dims) {
  for (std::int64_t d : dims) {
    if (d < 0 && d != kUnknownDim) {
      throw ValueError("Dimension " + std::to_string(d) + " must be >= 0");
    }
  }
}

std::string dim_string(std::int64_t d) {
  return d == kUnknownDim ? "?" : std::to_string(d);
}

}  // namespace

Shape::Shape(std::initializer_list<std::int64_t> dims) : dims_(dims) {
  check_dims(dims_);
}

Shape::Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {
  check_dims(dims_);
}

Shape Shape::unknown_rank() {
  Shape s;
  s.known_rank_ = false;
  return s;
}

int Shape::rank() const {
  return known_rank_ ? static_cast<int>(dims_.size()) : -1;
}

bool Shape::is_fully_defined() const {
  if (!known_rank_) return false;
  for (std::int64_t d : dims_) {
    if (d == kUnknownDim) return false;
  }
  return true;
}

std::int64_t Shape::num_elements() const {
  if (!is_fully_defined()) return -1;
  std::int64_t n = 1;
  for (std::int64_t d : dims_) {
    if (__builtin_mul_overflow(n, d, &n)) {
      throw InvalidArgumentError("Shape " + to_string() + " has more than 2^63 elements");
    }
  }
  return n;
}

void Shape::throw_bad_dim(int i) const {
  throw InvalidArgumentError("Dimension index " + std::to_string(i) +
                             " is out of range for shape " + to_string() + " of rank " +
                             std::to_string(rank()));
}

bool Shape::is_compatible_with(const Shape& other) const {
  if (!known_rank_ || !other.known_rank_) return true;
  if (dims_.size() != other.dims_.size()) return false;
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (dims_[i] != kUnknownDim && other.dims_[i] != kUnknownDim && dims_[i] != other.dims_[i]) {
      return false;
    }
  }
  return true;
}

std::string Shape::to_string() const {
  if (!known_rank_) return "<unknown>";
  // Built by appending: GCC 12 warns (-Wrestrict) on `"(" + std::string&&`.
  std::string out = "(";
  if (dims_.size() == 1) return out.append(dim_string(dims_[0])).append(",)");
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ", ";
    out += dim_string(dims_[i]);
  }
  return out + ")";
}

std::string Shape::to_list_string() const {
  if (!known_rank_) return "?";
  std::string out = "[";
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ",";
    out += dim_string(dims_[i]);
  }
  return out + "]";
}

}  // namespace varscope
