// The optimizers' update ops: one pass over the variable, its slots and the gradient; and
// the ops that apply an IndexedSlices gradient to the rows it names (Unique, the scatters,
// SparseApplyMomentum).
#include <algorithm>
#include <string>

#include "host/graph/array/shape_helpers.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

using shape_fn::helpers::str;
using shape_fn::helpers::with_rank;

// TF's Apply* shape functions: the output is the variable; the gradient (input `kGrad`)
// merges with it. The run words a mismatch as the kernels do.
template <int kGrad>
std::vector<OutputSpec> apply_shape(const ShapeContext& c) {
  return {{c.dtype(0), merge(c, c.shape(0), c.shape(kGrad), [](const ShapeContext& c) {
             return "var and grad do not have the same shape" + c.shape(0).to_list_string() + " " +
                    c.shape(kGrad).to_list_string();
           })}};
}

// TF's Unique: x a vector; y its distinct values (how many: known when run), idx x's shape.
std::vector<OutputSpec> unique_shape(const ShapeContext& c) {
  with_rank(c, 0, 1);
  std::int64_t distinct = kUnknownDim;
  if (c.at_run_time()) {
    if (const auto ids = c.int_values(0)) {
      std::vector<std::int64_t> sorted = *ids;
      std::sort(sorted.begin(), sorted.end());
      distinct = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
    }
  }
  return {{c.dtype(0), Shape{distinct}}, {c.attr<DType>(a::kOutIdx), c.shape(0)}};
}

// TF's ScatterUpdateShape: updates merge with indices.shape + ref.shape[1:] (scalar updates
// are TF's broadcast, which varscope's kernel refuses when run); the output is the ref.
std::vector<OutputSpec> scatter_shape(const ShapeContext& c) {
  const Shape& ref = c.shape(0);
  const Shape& indices = c.shape(1);
  const Shape& updates = c.shape(2);
  if (ref.has_rank() && ref.rank() == 0) c.fail("Shape must be at least rank 1 but is rank 0");
  if (ref.has_rank() && indices.has_rank() && !(updates.has_rank() && updates.rank() == 0)) {
    std::vector<std::int64_t> dims = indices.dims();
    dims.insert(dims.end(), ref.dims().begin() + 1, ref.dims().end());
    merge(c, updates, Shape(dims), [](const ShapeContext& c) {
      return "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], "
             "got updates.shape " +
             c.shape(2).to_list_string() + ", indices.shape " + c.shape(1).to_list_string() +
             ", params.shape " + c.shape(0).to_list_string();
    });
  }
  return {{c.dtype(0), ref}};
}

// TF's ApplySparseShapeFn for SparseApplyMomentum (var, accum, lr, grad, indices, momentum):
// indices a vector as long as grad, grad's rows var's.
std::vector<OutputSpec> sparse_apply_momentum_shape(const ShapeContext& c) {
  constexpr RunText kSameShape = [](const ShapeContext& c) {
    return "var and accum do not have the same shape" + c.shape(0).to_list_string() + " " +
           c.shape(1).to_list_string();
  };
  Shape s = merge(c, c.shape(0), c.shape(1), kSameShape);
  with_rank(c, 2, 0);
  with_rank(c, 4, 1);
  with_rank(c, 5, 0);
  const Shape& grad = c.shape(3);
  const Shape& indices = c.shape(4);
  if (grad.has_rank() && grad.rank() > 0) {
    const std::int64_t n = indices.has_rank() ? indices.dim(0) : kUnknownDim;
    if (n != kUnknownDim && grad.dim(0) != kUnknownDim && n != grad.dim(0)) {
      c.fail("Dimensions must be equal, but are " + str(n) + " and " + str(grad.dim(0)),
             "grad must be the same size as indices in the first dimension.");
    }
    std::vector<std::int64_t> rows = grad.dims();
    rows[0] = kUnknownDim;
    s = merge(c, s, Shape(rows), [](const ShapeContext&) {
      return std::string("var and grad do not have the same shape");
    });
  }
  return {{c.dtype(0), s}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kApplyGradientDescent, .name = "ApplyGradientDescent",
     .inputs = "var, alpha, delta", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = apply_shape<2>, .kernel = update_kernel(UpdateRule::kGradientDescent)},
    {.op = OpType::kApplyMomentum, .name = "ApplyMomentum",
     .inputs = "var, accum, lr, grad, momentum", .outputs = "out",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}}, .num_attrs = 3,
     .types = kNumberTypes, .shape = apply_shape<3>,
     .kernel = update_kernel(UpdateRule::kMomentum)},
    {.op = OpType::kApplyAdam, .name = "ApplyAdam",
     .inputs = "var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad",
     .outputs = "out", .attrs = {{kTypeT, {a::kUseLocking, T::kBool}, {a::kUseNesterov, T::kBool}}},
     .num_attrs = 3, .types = kNumberTypes, .shape = apply_shape<9>,
     .kernel = update_kernel(UpdateRule::kAdam)},
    // TF's Unique lists any dtype; varscope's host kernel reads integer ids.
    {.op = OpType::kUnique, .name = "Unique", .inputs = "x", .outputs = "y, idx",
     .attrs = {{kTypeT, {a::kOutIdx, T::kDType}}}, .num_attrs = 2, .shape = unique_shape,
     .kernel = kernel_of(K::kHostArray, kComputesInteger), .grad = grad::not_differentiable},
    {.op = OpType::kScatterAdd, .name = "ScatterAdd", .inputs = "ref, indices, updates",
     .outputs = "output_ref", .attrs = {{kTypeT, {a::kTindices, T::kDType},
     {a::kUseLocking, T::kBool}}}, .num_attrs = 3, .types = kNumberTypes, .shape = scatter_shape,
     .kernel = kernel_of(K::kScatter, kComputesNumeric), .grad = grad::not_differentiable},
    {.op = OpType::kScatterSub, .name = "ScatterSub", .inputs = "ref, indices, updates",
     .outputs = "output_ref", .attrs = {{kTypeT, {a::kTindices, T::kDType},
     {a::kUseLocking, T::kBool}}}, .num_attrs = 3, .types = kNumberTypes, .shape = scatter_shape,
     .kernel = kernel_of(K::kScatter, kComputesNumeric), .grad = grad::not_differentiable},
    {.op = OpType::kSparseApplyMomentum, .name = "SparseApplyMomentum",
     .inputs = "var, accum, lr, grad, indices, momentum", .outputs = "out",
     .attrs = {{kTypeT, {a::kTindices, T::kDType}, {a::kUseLocking, T::kBool},
     {a::kUseNesterov, T::kBool}}}, .num_attrs = 4, .types = kNumberTypes,
     .shape = sparse_apply_momentum_shape, .kernel = update_kernel(UpdateRule::kMomentum)},
};
// clang-format on

}  // namespace

std::span<const OpDef> training_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
