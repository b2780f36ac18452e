#include "host/graph/builders.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "varscope/errors.h"

namespace varscope::detail {
namespace {

const OutputSpec& spec(const GraphImpl& g, TensorRef r) {
  return g.node(r.node).outputs.at(static_cast<std::size_t>(r.index));
}

HostTensor shape_tensor(const Shape& shape) {
  std::vector<std::int32_t> dims;
  for (std::int64_t d : shape.dims())
    dims.push_back(static_cast<std::int32_t>(d));
  return HostTensor(dims);
}

std::string dtype_python_repr(DType dtype) {
  return "tf." + std::string(dtype_name(dtype));
}

// TF's _AssertCompatible, relaxed to accept integral floating values for integer dtypes
// (C++ literals have no separate "int" spelling in a std::vector<double>).
HostTensor convert_literal(const HostTensor& value, DType dtype) {
  if (value.dtype() == dtype) return value;
  if ((is_integer(dtype) || dtype == DType::kBool) && is_floating(value.dtype())) {
    for (std::int64_t i = 0; i < value.num_elements(); ++i) {
      double v = value.element_as_double(i);
      if (v != std::floor(v)) {
        std::ostringstream os;
        os << "Expected " << dtype_name(dtype) << ", got " << v << " of type 'float' instead.";
        throw TypeError(os.str());
      }
    }
  }
  return value.cast(dtype);
}

std::string display_name(GraphImpl& g, std::string_view name_or_scope) {
  if (!name_or_scope.empty() && name_or_scope.back() == '/') {
    return std::string(name_or_scope.substr(0, name_or_scope.size() - 1));
  }
  return g.unique_name(name_or_scope, /*mark_as_used=*/false);
}

std::shared_ptr<GraphImpl> graph_of(const Input& x, const Input& y) {
  if (!x.is_literal()) return Access::lock(x.tensor());
  if (!y.is_literal()) return Access::lock(y.tensor());
  throw ValueError("An op needs at least one Tensor input to know its graph");
}

}  // namespace

std::optional<Shape> try_broadcast_shapes(const Shape& a, const Shape& b) {
  if (!a.has_rank() || !b.has_rank()) return Shape::unknown_rank();
  const auto& da = a.dims();
  const auto& db = b.dims();
  const std::size_t rank = std::max(da.size(), db.size());
  std::vector<std::int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t x = i < rank - da.size() ? 1 : da[i - (rank - da.size())];
    const std::int64_t y = i < rank - db.size() ? 1 : db[i - (rank - db.size())];
    if (x == 1) {
      out[i] = y;
    } else if (y == 1) {
      out[i] = x;
    } else if (x == kUnknownDim) {
      out[i] = y;  // y is known and > 1, or unknown too
    } else if (y == kUnknownDim || x == y) {
      out[i] = x;
    } else {
      return std::nullopt;
    }
  }
  return Shape(std::move(out));
}

Shape broadcast_shapes(const Shape& a,
                       const Shape& b,
                       std::string_view op_name,
                       std::string_view op_type) {
  if (std::optional<Shape> out = try_broadcast_shapes(a, b)) return std::move(*out);
  const auto& da = a.dims();
  const auto& db = b.dims();
  const std::size_t rank = std::max(da.size(), db.size());
  std::int64_t x = 1;
  std::int64_t y = 1;
  for (std::size_t i = 0; i < rank; ++i) {  // the first pair that does not broadcast
    x = i < rank - da.size() ? 1 : da[i - (rank - da.size())];
    y = i < rank - db.size() ? 1 : db[i - (rank - db.size())];
    if (x != 1 && y != 1 && x != kUnknownDim && y != kUnknownDim && x != y) break;
  }
  throw ValueError("Dimensions must be equal, but are " + std::to_string(x) + " and " +
                   std::to_string(y) + " for '" + std::string(op_name) + "' (op: '" +
                   std::string(op_type) + "') with input shapes: " + a.to_list_string() + ", " +
                   b.to_list_string() + ".");
}

TensorRef build_constant(GraphImpl& g,
                         const HostTensor& value,
                         std::optional<DType> dtype,
                         const std::optional<Shape>& shape,
                         bool verify_shape,
                         std::string_view name) {
  HostTensor v = dtype ? convert_literal(value, *dtype) : value;
  if (shape) {
    if (!shape->is_fully_defined()) {
      throw ValueError("Cannot create a constant of partially known shape " + shape->to_string());
    }
    if (verify_shape && v.shape() != *shape) {
      throw TypeError("Expected Tensor's shape: " + shape->to_string() + ", got " +
                      v.shape().to_string() + ".");
    }
    const std::int64_t given = v.num_elements();
    const std::int64_t needed = shape->num_elements();
    if (given > needed) {
      throw ValueError("Too many elements provided. Needed at most " + std::to_string(needed) +
                       ", but received " + std::to_string(given));
    }
    // TF's FromProtoField: copy what was given, repeat the last value (zeros if none).
    HostTensor filled(v.dtype(), *shape);
    const std::size_t esize = dtype_size(v.dtype());
    auto* dst = static_cast<std::byte*>(filled.raw_data());
    const auto* src = static_cast<const std::byte*>(v.raw_data());
    for (std::int64_t i = 0; given > 0 && i < needed; ++i) {
      const std::int64_t from = std::min(i, given - 1);
      std::memcpy(dst + static_cast<std::size_t>(i) * esize,
                  src + static_cast<std::size_t>(from) * esize, esize);
    }
    v = std::move(filled);
  }
  const DType out_dtype = v.dtype();
  Shape out_shape = v.shape();
  // Emplaced, not a braced list: that would deep-copy the value.
  Attrs attrs;
  attrs.reserve(2);
  attrs.emplace_back("value", std::move(v));
  attrs.emplace_back("dtype", out_dtype);
  const int node = g.add_node("Const", name.empty() ? "Const" : name, {},
                              {{out_dtype, std::move(out_shape)}}, std::move(attrs));
  return {node, 0};
}

TensorRef build_binary(
    GraphImpl& g, std::string type, std::string_view name_or_scope, TensorRef x, TensorRef y) {
  const OutputSpec& sx = spec(g, x);
  const OutputSpec& sy = spec(g, y);
  if (sx.dtype != sy.dtype) {
    throw TypeError("Input 'y' of '" + type + "' Op has type " + std::string(dtype_name(sy.dtype)) +
                    " that does not match type " + std::string(dtype_name(sx.dtype)) +
                    " of argument 'x'.");
  }
  // The op's display name is only needed for the error: not computed on the way through.
  std::optional<Shape> shape = try_broadcast_shapes(sx.shape, sy.shape);
  if (!shape) broadcast_shapes(sx.shape, sy.shape, display_name(g, name_or_scope), type);
  const DType dtype = sx.dtype;
  const int node = g.add_node(std::move(type), name_or_scope, {x, y}, {{dtype, std::move(*shape)}},
                              {{"T", dtype}});
  return {node, 0};
}

Tensor build_binary_op(const std::string& type,
                       std::string_view scope_name,
                       const Input& x,
                       const Input& y) {
  std::shared_ptr<GraphImpl> g = graph_of(x, y);
  g->check_nesting();
  // math_ops._truediv_python3 checks the two dtypes itself, before any conversion.
  if (type == "RealDiv" && !x.is_literal() && !y.is_literal() &&
      x.tensor().dtype() != y.tensor().dtype()) {
    throw TypeError("x and y must have the same dtype, got " +
                    dtype_python_repr(x.tensor().dtype()) +
                    " != " + dtype_python_repr(y.tensor().dtype()));
  }
  // Literals take the dtype of the tensor beside them (TF's dtype_hint).
  const TensorRef xr = x.is_literal() ? TensorRef{} : g->ref_of(x.tensor());
  const TensorRef yr = y.is_literal() ? TensorRef{} : g->ref_of(y.tensor());
  const DType dtype = x.is_literal() ? spec(*g, yr).dtype : spec(*g, xr).dtype;
  const HostTensor xl = x.is_literal() ? convert_literal(x.literal(), dtype) : HostTensor();
  const HostTensor yl = y.is_literal() ? convert_literal(y.literal(), dtype) : HostTensor();
  const DType dx = x.is_literal() ? xl.dtype() : spec(*g, xr).dtype;
  const DType dy = y.is_literal() ? yl.dtype() : spec(*g, yr).dtype;
  if (dx != dy) {
    throw TypeError("Input 'y' of '" + type + "' Op has type " + std::string(dtype_name(dy)) +
                    " that does not match type " + std::string(dtype_name(dx)) +
                    " of argument 'x'.");
  }
  const Shape& xs = x.is_literal() ? xl.shape() : spec(*g, xr).shape;
  const Shape& ys = y.is_literal() ? yl.shape() : spec(*g, yr).shape;
  if (!try_broadcast_shapes(xs, ys)) {
    broadcast_shapes(xs, ys, g->unique_name(scope_name, /*mark_as_used=*/false), type);
  }

  const std::string stack = g->resolve_name_scope(scope_name);
  StackGuard in_scope(*g, stack);
  const TensorRef xi = x.is_literal() ? build_constant(*g, xl, {}, {}, false, "x") : xr;
  const TensorRef yi = y.is_literal() ? build_constant(*g, yl, {}, {}, false, "y") : yr;
  return g->tensor(build_binary(*g, type, scope_string(stack), xi, yi));
}

TensorRef build_random_normal(GraphImpl& g,
                              const Shape& shape,
                              double mean,
                              double stddev,
                              DType dtype,
                              std::optional<std::int64_t> seed,
                              bool truncated,
                              std::string_view name) {
  const std::string op_type = truncated ? "TruncatedNormal" : "RandomStandardNormal";
  if (!is_floating(dtype)) {
    throw TypeError("Value passed to parameter 'dtype' has DataType " +
                    std::string(dtype_name(dtype)) + " not in list of allowed values: float16, " +
                    "bfloat16, float32, float64");
  }
  if (!shape.is_fully_defined()) {
    throw ValueError(op_type + " needs a fully defined shape, got " + shape.to_string());
  }
  const std::string stack = g.resolve_name_scope(
      name.empty() ? (truncated ? "truncated_normal" : "random_normal") : name);
  StackGuard in_scope(g, stack);
  const TensorRef shape_t = build_constant(g, shape_tensor(shape), {}, {}, false, "shape");
  const TensorRef mean_t = build_constant(g, HostTensor::scalar(mean), dtype, {}, false, "mean");
  const TensorRef stddev_t =
      build_constant(g, HostTensor::scalar(stddev), dtype, {}, false, "stddev");
  const auto [seed1, seed2] = g.op_seeds(seed, g.unique_name(op_type, /*mark_as_used=*/false));
  const int rnd = g.add_node(op_type, op_type, {shape_t}, {{dtype, shape}},
                             {{"dtype", dtype}, {"seed", seed1}, {"seed2", seed2}});
  const TensorRef mul = build_binary(g, "Mul", "mul", {rnd, 0}, stddev_t);
  return build_binary(g, "Add", scope_string(stack), mul, mean_t);
}

TensorRef build_random_uniform(GraphImpl& g,
                               const Shape& shape,
                               double minval,
                               std::optional<double> maxval,
                               DType dtype,
                               std::optional<std::int64_t> seed,
                               std::string_view name) {
  const bool integer = dtype == DType::kInt32 || dtype == DType::kInt64;
  if (!integer && !is_floating(dtype)) {
    throw ValueError("Invalid dtype " + dtype_python_repr(dtype));
  }
  if (integer && !maxval) {
    throw ValueError("Must specify maxval for integer dtype " + dtype_python_repr(dtype));
  }
  if (!shape.is_fully_defined()) {
    throw ValueError("RandomUniform needs a fully defined shape, got " + shape.to_string());
  }
  const std::string stack = g.resolve_name_scope(name.empty() ? "random_uniform" : name);
  StackGuard in_scope(g, stack);
  const TensorRef shape_t = build_constant(g, shape_tensor(shape), {}, {}, false, "shape");
  const TensorRef min_t = build_constant(g, HostTensor::scalar(minval), dtype, {}, false, "min");
  const TensorRef max_t =
      build_constant(g, HostTensor::scalar(maxval.value_or(1.0)), dtype, {}, false, "max");
  if (integer) {
    const auto [seed1, seed2] = g.op_seeds(seed, stack);
    const int node =
        g.add_node("RandomUniformInt", scope_string(stack), {shape_t, min_t, max_t},
                   {{dtype, shape}}, {{"Tout", dtype}, {"seed", seed1}, {"seed2", seed2}});
    return {node, 0};
  }
  const auto [seed1, seed2] = g.op_seeds(seed, g.unique_name("RandomUniform", false));
  const int rnd = g.add_node("RandomUniform", "RandomUniform", {shape_t}, {{dtype, shape}},
                             {{"dtype", dtype}, {"seed", seed1}, {"seed2", seed2}});
  const TensorRef range = build_binary(g, "Sub", "sub", max_t, min_t);
  const TensorRef mul = build_binary(g, "Mul", "mul", {rnd, 0}, range);
  return build_binary(g, "Add", scope_string(stack), mul, min_t);
}

TensorRef build_fill(
    GraphImpl& g, const Shape& shape, DType dtype, double value, std::string_view name) {
  if (!shape.is_fully_defined()) {
    throw ValueError("Cannot fill a tensor of partially known shape " + shape.to_string());
  }
  const HostTensor scalar = HostTensor::scalar(value).cast(dtype);
  const std::string stack = g.resolve_name_scope(name);
  StackGuard in_scope(g, stack);
  // array_ops._constant_if_small: small fills stay constants; big ones become Fill ops
  // so that serialized graphs stay small.
  if (shape.num_elements() < 1000) {
    return build_constant(g, scalar, {}, shape, false, scope_string(stack));
  }
  const TensorRef dims = build_constant(g, shape_tensor(shape), {}, {}, false, "shape_as_tensor");
  const TensorRef fill_value = build_constant(g, scalar, {}, {}, false, "Const");
  const int node =
      g.add_node("Fill", scope_string(stack), {dims, fill_value}, {{dtype, shape}}, {{"T", dtype}});
  return {node, 0};
}

}  // namespace varscope::detail
