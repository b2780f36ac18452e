// TF 1.15's base.Layer scoping and InputSpec checks, shared by the layers.
#include "host/graph/layers/layer_scope.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "varscope/errors.h"

namespace varscope::layers::detail {

VariableScopeGuard enter_layer_scope(Graph& g,
                                     std::string_view default_name,
                                     const std::string& name,
                                     Reuse reuse) {
  const bool shared = reuse == Reuse::kTrue || reuse == Reuse::kAuto;
  if (name.empty() && !shared) {
    return g.variable_scope(std::nullopt,
                            {.default_name = std::string(default_name), .reuse = reuse});
  }
  return g.variable_scope(name.empty() ? default_name : std::string_view(name), {.reuse = reuse});
}

Weight add_weight(Graph& g,
                  std::string_view name,
                  const GetVariableOptions& options,
                  const Regularizer& regularizer) {
  std::vector<Variable> existing;
  if (regularizer) existing = g.global_variables();
  Weight w;
  std::vector<Variable> parts;
  const bool scalar = options.shape && options.shape->rank() == 0;
  if ((options.partitioner || g.get_variable_scope().partitioner()) && !scalar) {
    w.partitioned = g.get_partitioned_variable(name, options);
    parts = w.partitioned.variables();
  } else {
    w.variable = g.get_variable(name, options);
    parts = {w.variable};
  }
  if (!regularizer) return w;
  for (const Variable& part : parts) {
    if (std::find(existing.begin(), existing.end(), part) != existing.end()) return w;
  }
  for (const Variable& part : parts) {
    const NameScope scope = g.name_scope(std::string(name) + "/Regularizer");
    if (const std::optional<Tensor> loss = regularizer(part.value())) {
      g.add_to_collection(GraphKeys::kRegularizationLosses, *loss);
    }
  }
  return w;
}

std::string layer_name(const VariableScope& scope) {
  const std::string& full = scope.name();
  return full.substr(full.rfind('/') + 1);  // npos + 1 == 0: the whole name
}

namespace {

// Python's str() of TensorShape.as_list(): "[2, None, 8]".
std::string shape_list(const Shape& shape) {
  std::string out = "[";
  for (int i = 0; i < shape.rank(); ++i) {
    if (i > 0) out += ", ";
    out += shape.dim(i) < 0 ? "None" : std::to_string(shape.dim(i));
  }
  return out + "]";
}

}  // namespace

void expect_rank(const Shape& shape, int ndim, const VariableScope& scope) {
  if (!shape.has_rank() || shape.rank() == ndim) return;
  throw ValueError("Input 0 of layer " + layer_name(scope) +
                   " is incompatible with the layer: expected ndim=" + std::to_string(ndim) +
                   ", found ndim=" + std::to_string(shape.rank()) +
                   ". Full shape received: " + shape_list(shape));
}

void expect_min_rank(const Shape& shape, int min_ndim, const VariableScope& scope) {
  const std::string prefix =
      "Input 0 of layer " + layer_name(scope) + " is incompatible with the layer: ";
  if (!shape.has_rank()) {
    throw ValueError(prefix + "its rank is undefined, but the layer requires a defined rank.");
  }
  if (shape.rank() >= min_ndim) return;
  throw ValueError(prefix + ": expected min_ndim=" + std::to_string(min_ndim) + ", found ndim=" +
                   std::to_string(shape.rank()) + ". Full shape received: " + shape_list(shape));
}

std::string normalize_padding(std::string_view padding) {
  std::string lower(padding);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "valid") return "VALID";
  if (lower == "same") return "SAME";
  throw ValueError(
      "The `padding` argument must be a list/tuple or one of \"valid\", \"same\" (or \"causal\", "
      "only for `Conv1D). Received: " +
      std::string(padding));
}

}  // namespace varscope::layers::detail
