// Ops along one axis: ArgMax and ArgMin (TF's ArgOpShape), Cumsum and Cumprod (the shape unchanged;
// the axis checked by the kernel, as TF's ScanOp).
#include <string>
#include <vector>

#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

// TF's ArgOpShape: the input without the reduced dimension (a scalar for rank <= 1, whose
// dimension only the kernel checks); the kernel's texts at run time.
std::vector<OutputSpec> arg_shape(const ShapeContext& c) {
  const DType out = c.attr<DType>(a::kOutputType);
  const Shape& x = c.shape(0);
  const Shape& dimension = c.shape(1);
  if (dimension.has_rank() && dimension.rank() != 0) {
    c.fail("Shape must be rank 0 but is rank " + std::to_string(dimension.rank()),
           "dim must be a scalar, but received tensor of shape: " + dimension.to_list_string());
  }
  if (!x.has_rank()) return {{out, Shape::unknown_rank()}};
  const int rank = x.rank();
  if (rank <= 1 && !c.at_run_time()) return {{out, Shape()}};
  const std::optional<std::vector<std::int64_t>> value = c.int_values(1);
  if (!value) {
    return {
        {out, Shape(std::vector<std::int64_t>(static_cast<std::size_t>(rank - 1), kUnknownDim))}};
  }
  const std::int64_t d = value->at(0);
  const std::string r = std::to_string(rank), given = std::to_string(d);
  if (d < -rank || d >= rank) {
    c.fail("Dimension (" + given + ") must be in the range [-" + r + ", " + r + "), where " + r +
               " is the number of dimensions in the input.",
           "Expected dimension in the range [" + std::to_string(-rank) + ", " + r + "), but got " +
               given);
  }
  const auto axis = static_cast<std::size_t>(d < 0 ? d + rank : d);
  if (c.at_run_time() && x.dim(static_cast<int>(axis)) == 0) {
    c.fail("Reduction axis " + given + " is empty in shape " + x.to_list_string());
  }
  std::vector<std::int64_t> dims = x.dims();
  dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(axis));
  return {{out, Shape(std::move(dims))}};
}

// TF's Cumsum and Cumprod: UnchangedShape at graph building; ScanOp's checks of the axis at run
// time (its text names the axis after adding the rank to a negative one).
std::vector<OutputSpec> scan_shape(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  if (c.at_run_time()) {
    const Shape& axis_shape = c.shape(1);
    if (axis_shape.rank() != 0) {
      c.fail("ScanOp: axis must be a scalar, not " + axis_shape.to_list_string());
    }
    const std::optional<std::vector<std::int64_t>> value = c.int_values(1);
    if (value) {
      const int rank = x.rank();
      const std::int64_t axis = value->at(0) < 0 ? value->at(0) + rank : value->at(0);
      if (axis < 0 || axis >= rank) {
        c.fail("ScanOp: Expected scan axis in the range [" + std::to_string(-rank) + ", " +
               std::to_string(rank) + "), but got " + std::to_string(axis));
      }
    }
  }
  return {{c.dtype(0), x}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kArgMax, .name = "ArgMax", .inputs = "input, dimension", .outputs = "output",
     .attrs = {{kTypeT, {a::kOutputType, T::kDType}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = arg_shape, .kernel = kernel_of(K::kArgReduce, kComputesNumeric),
     .grad = grad::not_differentiable, .capture = Capture::kIfHostConstants},
    {.op = OpType::kArgMin, .name = "ArgMin", .inputs = "input, dimension", .outputs = "output",
     .attrs = {{kTypeT, {a::kOutputType, T::kDType}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = arg_shape, .kernel = kernel_of(K::kArgReduce, kComputesNumeric),
     .grad = grad::not_differentiable, .capture = Capture::kIfHostConstants},
    {.op = OpType::kCumsum, .name = "Cumsum", .inputs = "x, axis", .outputs = "out",
     .attrs = {{{a::kExclusive, T::kBool}, {a::kReverse, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = scan_shape, .kernel = kernel_of(K::kScan, kComputesNumeric),
     .grad = grad::cumsum, .capture = Capture::kIfHostConstants},
    {.op = OpType::kCumprod, .name = "Cumprod", .inputs = "x, axis", .outputs = "out",
     .attrs = {{{a::kExclusive, T::kBool}, {a::kReverse, T::kBool}, kTypeT}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = scan_shape, .kernel = kernel_of(K::kScan, kComputesNumeric),
     .grad = grad::cumprod, .capture = Capture::kIfHostConstants},
};
// clang-format on

}  // namespace

std::span<const OpDef> axis_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
