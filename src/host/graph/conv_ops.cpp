// tf.nn.conv2d, tf.nn.max_pool, tf.nn.avg_pool and tf.compat.v1.nn.fused_batch_norm (TF 1.15):
// one node of TF's op type named as TF names it, with TF's attribute defaults and its
// Python-side checks of the arguments; the shape checks are the op rows' (op_rows/conv_ops.cpp).
#include <optional>
#include <string>

#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "host/graph/window_attrs.h"
#include "varscope/errors.h"
#include "varscope/nn_ops.h"

namespace varscope {

using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

// op_def_library's check of a string attribute's allowed values.
void check_allowed(std::string_view attr,
                   std::string_view type,
                   std::string_view value,
                   std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (a == value) return;
    list += std::string(list.empty() ? "" : ", ") + "\"" + std::string(a) + "\"";
  }
  throw ValueError("Attr '" + std::string(attr) + "' of '" + std::string(type) +
                   "' Op passed string '" + std::string(value) + "' not in: " + list + ".");
}

// The formats and paddings varscope's kernels run (TF also has NCHW and EXPLICIT).
void check_supported(std::string_view type, std::string_view padding, std::string_view format) {
  if (padding == "EXPLICIT") {
    throw UnimplementedError(std::string(type) +
                             ": padding \"EXPLICIT\" is not supported; use \"SAME\" or \"VALID\"");
  }
  if (format != "NHWC") {
    throw UnimplementedError(std::string(type) + ": data_format \"" + std::string(format) +
                             "\" is not supported; varscope's kernels are NHWC");
  }
}

// Under the op's scope (TF's name_scope(name, "<Type>")): a tensor input, or a literal as a
// Const named after the argument, of `dtype` when given.
TensorRef operand(detail::GraphImpl& g, const Input& in, const char* arg, DType dtype) {
  if (!in.is_literal()) return g.ref_of(in.tensor());
  return detail::build_constant(g, in.literal().cast(dtype), {}, {}, false, arg);
}

Tensor build_window_op(OpType op,
                       const Input& x,
                       const Input* filter,
                       detail::Attrs window,
                       std::string_view padding,
                       std::string_view data_format,
                       std::string_view name) {
  const detail::OpDef& def = detail::op_def(op);
  auto g = detail::graph_of_input(x, def.name);
  return g->mutate([&] {
    const TensorRef xr = g->ref_of(x.tensor());
    const DType dtype = detail::spec(*g, xr).dtype;
    g->check_scope_name(name);
    const std::string scope = detail::wrapper_scope(*g, name, def.name);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    std::vector<TensorRef> inputs{xr};
    if (filter != nullptr) inputs.push_back(operand(*g, *filter, "filter", dtype));
    detail::check_input_dtype(def, 0, dtype);
    if (filter != nullptr) {
      const DType fd = detail::spec(*g, inputs[1]).dtype;
      if (fd != dtype) {
        throw TypeError("Input 'filter' of '" + std::string(def.name) + "' Op has type " +
                        std::string(dtype_name(fd)) + " that does not match type " +
                        std::string(dtype_name(dtype)) + " of argument 'input'.");
      }
    }
    if (filter != nullptr) {
      check_allowed(attr_name::kPadding, def.name, padding, {"SAME", "VALID", "EXPLICIT"});
    } else {
      check_allowed(attr_name::kPadding, def.name, padding, {"SAME", "VALID"});
    }
    check_allowed(attr_name::kDataFormat, def.name, data_format, {"NHWC", "NCHW"});
    check_supported(def.name, padding, data_format);
    detail::Attrs attrs{{attr_name::kT, dtype}};
    for (auto& a : window)
      attrs.push_back(std::move(a));
    attrs.emplace_back(attr_name::kPadding, std::string(padding));
    attrs.emplace_back(attr_name::kDataFormat, std::string(data_format));
    const int node = detail::add_op(*g, op, scope, std::move(inputs), std::move(attrs));
    return g->tensor({node, 0});
  });
}

}  // namespace

Tensor conv2d(const Input& input,
              const Input& filter,
              const std::vector<std::int64_t>& strides,
              std::string_view padding,
              std::string_view data_format,
              const std::vector<std::int64_t>& dilations,
              std::string_view name) {
  detail::Attrs window{{attr_name::kStrides, detail::window_sequence(strides, "strides")},
                       {attr_name::kUseCudnnOnGpu, true},
                       {attr_name::kExplicitPaddings, std::vector<std::int64_t>{}},
                       {attr_name::kDilations, detail::window_sequence(dilations, "dilations")}};
  return build_window_op(OpType::kConv2D, input, &filter, std::move(window), padding, data_format,
                         name);
}

namespace {

Tensor pool(OpType op,
            const Input& value,
            const std::vector<std::int64_t>& ksize,
            const std::vector<std::int64_t>& strides,
            std::string_view padding,
            std::string_view data_format,
            std::string_view name) {
  detail::Attrs window{{attr_name::kKsize, detail::window_sequence(ksize, "ksize")},
                       {attr_name::kStrides, detail::window_sequence(strides, "strides")}};
  return build_window_op(op, value, nullptr, std::move(window), padding, data_format, name);
}

}  // namespace

Tensor max_pool(const Input& value,
                const std::vector<std::int64_t>& ksize,
                const std::vector<std::int64_t>& strides,
                std::string_view padding,
                std::string_view data_format,
                std::string_view name) {
  return pool(OpType::kMaxPool, value, ksize, strides, padding, data_format, name);
}

Tensor avg_pool(const Input& value,
                const std::vector<std::int64_t>& ksize,
                const std::vector<std::int64_t>& strides,
                std::string_view padding,
                std::string_view data_format,
                std::string_view name) {
  return pool(OpType::kAvgPool, value, ksize, strides, padding, data_format, name);
}

FusedBatchNorm fused_batch_norm(const Input& x,
                                const Input& scale,
                                const Input& offset,
                                const std::optional<Input>& mean,
                                const std::optional<Input>& variance,
                                double epsilon,
                                std::string_view data_format,
                                bool is_training,
                                std::string_view name) {
  const detail::OpDef& def = detail::op_def(OpType::kFusedBatchNormV3);
  auto g = detail::graph_of_input(x, def.name);
  return g->mutate([&] {
    const TensorRef xr = g->ref_of(x.tensor());
    detail::check_input_dtype(def, 0, detail::spec(*g, xr).dtype);
    const TensorRef scale_ref = operand(*g, scale, "scale", DType::kFloat32);
    const DType u = detail::spec(*g, scale_ref).dtype;
    if (u != DType::kFloat32) {
      throw TypeError("Value passed to parameter 'scale' has DataType " +
                      std::string(dtype_name(u)) + " not in list of allowed values: float32");
    }
    const TensorRef offset_ref = operand(*g, offset, "offset", u);
    if (is_training && (mean.has_value() || variance.has_value())) {
      throw ValueError("Both 'mean' and 'variance' must be None if is_training is True.");
    }
    // TF's constant_op.constant([]): an empty float32 vector named "Const" in the caller's
    // scope.
    auto statistic = [&](const std::optional<Input>& given) {
      if (!given.has_value()) {
        return detail::build_constant(*g, HostTensor(DType::kFloat32, Shape{0}), {}, {}, false,
                                      "Const");
      }
      return given->is_literal()
                 ? detail::build_constant(*g, given->literal().cast(u), {}, {}, false, "Const")
                 : g->ref_of(given->tensor());
    };
    const TensorRef mean_ref = statistic(mean);
    const TensorRef variance_ref = statistic(variance);
    const char* names[] = {"offset", "mean", "variance"};
    const TensorRef refs[] = {offset_ref, mean_ref, variance_ref};
    for (int i = 0; i < 3; ++i) {
      const DType d = detail::spec(*g, refs[i]).dtype;
      if (d != u) {
        throw TypeError("Input '" + std::string(names[i]) + "' of 'FusedBatchNormV3' Op has type " +
                        std::string(dtype_name(d)) + " that does not match type " +
                        std::string(dtype_name(u)) + " of argument 'scale'.");
      }
    }
    check_allowed(attr_name::kDataFormat, def.name, data_format, {"NHWC", "NCHW"});
    check_supported(def.name, "SAME", data_format);
    // cuDNN's minimum (TF clamps to 1.001e-5 as a float attribute).
    const double eps =
        static_cast<double>(static_cast<float>(epsilon > 1.001e-5 ? epsilon : 1.001e-5));
    g->check_scope_name(name);
    const int node = detail::add_op(*g, OpType::kFusedBatchNormV3,
                                    name.empty() ? std::string(def.name) : std::string(name),
                                    {xr, scale_ref, offset_ref, mean_ref, variance_ref},
                                    {{attr_name::kT, detail::spec(*g, xr).dtype},
                                     {attr_name::kU, u},
                                     {attr_name::kEpsilon, eps},
                                     {attr_name::kDataFormat, std::string(data_format)},
                                     {attr_name::kIsTraining, is_training}});
    return FusedBatchNorm{g->tensor({node, 0}), g->tensor({node, 1}), g->tensor({node, 2})};
  });
}

}  // namespace varscope
