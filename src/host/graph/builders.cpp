#include "host/graph/builders.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "host/graph/scope_guards.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

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
  if (value.dtype() == DType::kString || dtype == DType::kString) {
    // TF's _AssertCompatible: a str is never a number, a number never a str.
    std::ostringstream os;
    os << "Expected " << dtype_name(dtype) << ", got ";
    const char* type = value.dtype() == DType::kString ? "str"
                       : value.dtype() == DType::kBool ? "bool"
                       : is_integer(value.dtype())     ? "int"
                                                       : "float";
    if (value.num_elements() == 0) {
      os << "[]";
    } else if (value.dtype() == DType::kString) {
      os << "'" << value.data<std::string>()[0] << "'";
    } else {
      const double v = value.element_as_double(0);
      os << v << (type[0] == 'f' && v == std::floor(v) && std::fabs(v) < 1e16 ? ".0" : "");
    }
    os << " of type '" << type << "' instead.";
    throw TypeError(os.str());
  }
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

std::shared_ptr<GraphImpl> graph_of(const Input& x, const Input& y) {
  if (!x.is_literal()) return Access::lock(x.tensor());
  if (!y.is_literal()) return Access::lock(y.tensor());
  throw ValueError("An op needs at least one Tensor input to know its graph");
}

Attrs random_attrs(DType dtype, std::int64_t seed1, std::int64_t seed2) {
  return {{attr_name::kDType, dtype}, {attr_name::kSeed, seed1}, {attr_name::kSeed2, seed2}};
}

double scalar_value(const GraphImpl& g, TensorRef constant) {
  return attr<HostTensor>(g.node(constant.node), attr_name::kValue).element_as_double(0);
}

// The planner runs the chain as one pass when its intermediate values have no other use
// (host/runtime/planner.cpp). Only float32 and float64 chains: the fused pass computes in
// these types.
void record_affine_random(GraphImpl& g,
                          int add,
                          int random,
                          int mul,
                          int sub,
                          std::vector<int> constants,
                          DType dtype,
                          double scale,
                          double shift) {
  if (dtype != DType::kFloat32 && dtype != DType::kFloat64) return;
  g.record_affine_random(add, AffineRandom{random, mul, sub, std::move(constants), scale, shift});
}

// random_uniform's float ops after its Consts: RandomUniform, sub, mul and the scope's Add.
TensorRef uniform_chain(GraphImpl& g,
                        const std::string& stack,
                        TensorRef shape_t,
                        TensorRef min_t,
                        TensorRef max_t,
                        DType dtype,
                        std::optional<std::int64_t> seed) {
  const auto [seed1, seed2] = g.op_seeds(seed, g.unique_name("RandomUniform", false));
  const int rnd = add_op(g, OpType::kRandomUniform, "RandomUniform", {shape_t},
                         random_attrs(dtype, seed1, seed2));
  const TensorRef range = build_binary(g, OpType::kSub, "sub", max_t, min_t);
  const TensorRef mul = build_binary(g, OpType::kMul, "mul", {rnd, 0}, range);
  const TensorRef add = build_binary(g, OpType::kAdd, scope_string(stack), mul, min_t);
  // A shape known only at run time is drawn by the RandomUniform step itself.
  if (!g.node(rnd).outputs[0].shape.is_fully_defined()) return add;
  const double hi = scalar_value(g, max_t);
  const double lo = scalar_value(g, min_t);
  // The range as the Sub op computes it: rounded in the value's dtype.
  const double range_value =
      dtype == DType::kFloat32
          ? static_cast<double>(static_cast<float>(hi) - static_cast<float>(lo))
          : hi - lo;
  record_affine_random(g, add.node, rnd, mul.node, range.node, {max_t.node, min_t.node}, dtype,
                       range_value, lo);
  return add;
}

}  // namespace

int add_op(GraphImpl& g,
           OpType op,
           std::string_view name_or_scope,
           std::vector<TensorRef> inputs,
           Attrs attrs,
           std::vector<int> control_inputs) {
  const OpDef& def = op_def(op);
  if (def.shape == nullptr)
    throw InternalError("Op " + std::string(def.name) + " has no shape function");
  std::vector<ShapeInput> in(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Node& producer = g.node(inputs[i].node);
    const OutputSpec& s = spec(g, inputs[i]);
    in[i] = {
        s.dtype, &s.shape,
        producer.op == OpType::kConst ? &attr<HostTensor>(producer, attr_name::kValue) : nullptr};
    // TF's ConstantPartialShape: a ShapeN's (or, for AvgPoolGrad, a Shape's) value is its
    // input's shape as far as it is known. Other consumers of Shape keep the Const rule
    // (docs/differences.md).
    if (producer.op == OpType::kShapeN ||
        (producer.op == OpType::kShape && op == OpType::kAvgPoolGrad)) {
      in[i].shape_value =
          &spec(g, producer.inputs.at(static_cast<std::size_t>(inputs[i].index))).shape;
    }
  }
  std::vector<OutputSpec> outputs = def.shape(ShapeContext(def, g, name_or_scope, in, attrs));
  return g.add_node(op, name_or_scope, std::move(inputs), std::move(outputs), std::move(attrs),
                    std::move(control_inputs));
}

Tensor build_unary(OpType op, const Input& x, std::string_view name) {
  const OpDef& def = op_def(op);
  auto g = graph_of_input(x, def.name);
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const DType dtype = spec(*g, in).dtype;
    check_input_dtype(def, 0, dtype);
    const int node =
        add_op(*g, op, wrapper_scope(*g, name, def.name), {in}, {{attr_name::kT, dtype}});
    return g->tensor({node, 0});
  });
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
    if (v.dtype() == DType::kString) {
      const auto from = v.data<std::string>();
      const auto to = filled.data<std::string>();
      for (std::int64_t i = 0; given > 0 && i < needed; ++i)
        to[static_cast<std::size_t>(i)] = from[static_cast<std::size_t>(std::min(i, given - 1))];
    } else {
      const std::size_t esize = dtype_size(v.dtype());
      auto* dst = static_cast<std::byte*>(filled.raw_data());
      const auto* src = static_cast<const std::byte*>(v.raw_data());
      for (std::int64_t i = 0; given > 0 && i < needed; ++i) {
        const std::int64_t from = std::min(i, given - 1);
        std::memcpy(dst + static_cast<std::size_t>(i) * esize,
                    src + static_cast<std::size_t>(from) * esize, esize);
      }
    }
    v = std::move(filled);
  }
  const DType out_dtype = v.dtype();
  // Emplaced, not a braced list: that would deep-copy the value.
  Attrs attrs;
  attrs.reserve(2);
  attrs.emplace_back(attr_name::kValue, std::move(v));
  attrs.emplace_back(attr_name::kDType, out_dtype);
  return {add_op(g, OpType::kConst, name.empty() ? "Const" : name, {}, std::move(attrs)), 0};
}

TensorRef build_binary(
    GraphImpl& g, OpType op, std::string_view name_or_scope, TensorRef x, TensorRef y) {
  const std::string_view type = op_def(op).name;
  const OutputSpec& sx = spec(g, x);
  const OutputSpec& sy = spec(g, y);
  if (sx.dtype != sy.dtype) {
    throw TypeError("Input 'y' of '" + std::string(type) + "' Op has type " +
                    std::string(dtype_name(sy.dtype)) + " that does not match type " +
                    std::string(dtype_name(sx.dtype)) + " of argument 'x'.");
  }
  return {add_op(g, op, name_or_scope, {x, y}, {{attr_name::kT, sx.dtype}}), 0};
}

Tensor build_binary_op(OpType op, std::string_view scope_name, const Input& x, const Input& y) {
  const std::string type(op_def(op).name);
  std::shared_ptr<GraphImpl> g = graph_of(x, y);
  return g->mutate([&] {
    // TF enters the name scope first: an invalid name is reported before any other error.
    g->check_scope_name(scope_name);
    // math_ops._truediv_python3 checks the two dtypes itself, before any conversion.
    if (op == OpType::kRealDiv && !x.is_literal() && !y.is_literal() &&
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
    const std::string stack = g->resolve_name_scope(scope_name);
    StackGuard in_scope(*g, stack);
    const TensorRef xi = x.is_literal() ? build_constant(*g, xl, {}, {}, false, "x") : xr;
    const TensorRef yi = y.is_literal() ? build_constant(*g, yl, {}, {}, false, "y") : yr;
    return g->tensor(build_binary(*g, op, scope_string(stack), xi, yi));
  });
}

TensorRef build_random_normal(GraphImpl& g,
                              const Shape& shape,
                              double mean,
                              double stddev,
                              DType dtype,
                              std::optional<std::int64_t> seed,
                              bool truncated,
                              std::string_view name) {
  const OpType op = truncated ? OpType::kTruncatedNormal : OpType::kRandomStandardNormal;
  const std::string op_type(op_def(op).name);
  check_dtype(op_def(op), "dtype", dtype);
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
  const int rnd = add_op(g, op, op_type, {shape_t}, random_attrs(dtype, seed1, seed2));
  const TensorRef mul = build_binary(g, OpType::kMul, "mul", {rnd, 0}, stddev_t);
  const TensorRef add = build_binary(g, OpType::kAdd, scope_string(stack), mul, mean_t);
  record_affine_random(g, add.node, rnd, mul.node, -1, {stddev_t.node, mean_t.node}, dtype,
                       scalar_value(g, stddev_t), scalar_value(g, mean_t));
  return add;
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
        add_op(g, OpType::kRandomUniformInt, scope_string(stack), {shape_t, min_t, max_t},
               {{attr_name::kTout, dtype}, {attr_name::kSeed, seed1}, {attr_name::kSeed2, seed2}});
    return {node, 0};
  }
  return uniform_chain(g, stack, shape_t, min_t, max_t, dtype, seed);
}

TensorRef build_random_uniform(GraphImpl& g,
                               TensorRef shape,
                               DType dtype,
                               std::optional<std::int64_t> seed,
                               std::string_view name) {
  if (!is_floating(dtype)) throw ValueError("Invalid dtype " + dtype_python_repr(dtype));
  const std::string stack = g.resolve_name_scope(name.empty() ? "random_uniform" : name);
  StackGuard in_scope(g, stack);
  const TensorRef min_t = build_constant(g, HostTensor::scalar(0.0), dtype, {}, false, "min");
  const TensorRef max_t = build_constant(g, HostTensor::scalar(1.0), dtype, {}, false, "max");
  return uniform_chain(g, stack, shape, min_t, max_t, dtype, seed);
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
      add_op(g, OpType::kFill, scope_string(stack), {dims, fill_value}, {{attr_name::kT, dtype}});
  return {node, 0};
}

}  // namespace varscope::detail
