// tf.compat.v1.metrics (metrics_impl.py of TF 1.15): accuracy and mean, node for node.
#include "varscope/metrics.h"

#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/losses/weights_broadcast.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/graph.h"
#include "varscope/math_ops.h"

namespace varscope::metrics {

using detail::Access;
namespace tf = detail::losses;

namespace {

// The graph a metric builds in: that of its first Tensor input (E146 when none is one).
Graph graph_of(const Input& values, const std::optional<Input>& weights, const char* metric) {
  if (!values.is_literal()) return values.tensor().graph();
  if (weights && !weights->is_literal()) return weights->tensor().graph();
  throw ValueError(std::string(metric) + " needs a Tensor input to know its graph");
}

// Metrics read static ranks only: TF's dynamic path is a cond graph (E147).
void need_rank(const Tensor& t, const char* metric) {
  if (!t.shape().has_rank()) {
    throw UnimplementedError(std::string(metric) + ": the rank of " + t.name() +
                             " must be known while building (TF's dynamic rank check is a cond)");
  }
}

// ops.convert_to_tensor of a literal ("Const" in the current scope, floats as float32).
Tensor to_tensor(Graph& g, const Input& x) {
  if (!x.is_literal()) return x.tensor();
  return constant(g, tf::python_literal(x.literal()));
}

// math_ops.cast(x, float32): x itself when float32; a literal becomes "Cast/x" first.
Tensor to_float(Graph& g, const Input& x) {
  if (!x.is_literal()) return cast(x.tensor(), DType::kFloat32);
  const NameScope scope = g.name_scope(std::nullopt, "Cast");
  const Tensor c = constant(g, tf::python_literal(x.literal()), {.name = "x"});
  return cast(c, DType::kFloat32, scope.name());
}

// The weights part of _remove_squeezable_dimensions: a weights tensor of rank one more than
// the values' loses its last dimension, one of rank one less gains one; a scalar stays.
Tensor squeeze_weights(Graph& g,
                       const Input& weights_in,
                       const Tensor& values,
                       const char* metric) {
  const Tensor weights = to_tensor(g, weights_in);
  need_rank(weights, metric);
  const int w_rank = weights.shape().rank();
  if (w_rank == 0) return weights;
  need_rank(values, metric);
  const int v_rank = values.shape().rank();
  if (w_rank - v_rank == 1) return squeeze(weights, {-1});
  if (v_rank - w_rank == 1) return expand_dims(weights, -1);
  return weights;
}

// metric_variable([], float32, name): a scalar tf.Variable of zeros, not trainable, in
// LOCAL_VARIABLES and METRIC_VARIABLES.
Variable metric_variable(Graph& g, const char* name) {
  return g.variable([&g] { return constant(g, HostTensor(0.0f), {.name = "zeros"}); },
                    {.name = name,
                     .trainable = false,
                     .collections = std::vector<std::string>{GraphKeys::kLocalVariables,
                                                             GraphKeys::kMetricVariables}});
}

// The body of tf.metrics.mean, in the metric's variable scope.
Metric mean_body(Graph& g,
                 const Input& values_in,
                 const std::optional<Input>& weights_in,
                 const MetricOptions& o,
                 const char* metric) {
  Tensor values = to_float(g, values_in);
  const Variable total = metric_variable(g, "total");
  const Variable count = metric_variable(g, "count");
  Tensor num_values;
  if (!weights_in) {
    num_values = cast(size(values), DType::kFloat32);
  } else {
    const Tensor squeezed = squeeze_weights(g, *weights_in, values, metric);
    const Tensor weights = tf::broadcast_weights(g, cast(squeezed, DType::kFloat32), values);
    values = multiply(values, weights);
    num_values = reduce_sum(weights);
  }
  const Tensor update_total = assign_add(total, reduce_sum(values));
  Tensor update_count;
  {
    const ControlDependencies after_values =
        g.control_dependencies(std::vector<Operation>{values.op()});
    update_count = assign_add(count, num_values);
  }
  const Metric out{div_no_nan(total, maximum(count, 0.0f), "value"),
                   div_no_nan(update_total, maximum(update_count, 0.0f), "update_op")};
  for (const std::string& key : o.metrics_collections)
    g.add_to_collection(key, out.value);
  for (const std::string& key : o.updates_collections)
    g.add_to_collection(key, out.update_op);
  return out;
}

}  // namespace

Metric mean(const Input& values, const MetricOptions& options) {
  Graph g = graph_of(values, options.weights, "mean");
  return Access::impl(g)->mutate([&] {
    // variable_scope(name, "mean"): a given name as is, the default uniquified.
    const VariableScopeGuard scope = options.name.empty()
                                         ? g.variable_scope(std::nullopt, {.default_name = "mean"})
                                         : g.variable_scope(options.name);
    return mean_body(g, values, options.weights, options, "mean");
  });
}

Metric accuracy(const Tensor& labels_in,
                const Tensor& predictions_in,
                const MetricOptions& options) {
  Graph g = labels_in.graph();
  return Access::impl(g)->mutate([&] {
    Tensor labels = labels_in;
    Tensor predictions = predictions_in;
    // confusion_matrix.remove_squeezable_dimensions: a trailing 1 of the higher rank goes.
    {
      const NameScope scope = g.name_scope(std::nullopt, "remove_squeezable_dimensions");
      need_rank(labels, "accuracy");
      need_rank(predictions, "accuracy");
      const Shape& ps = predictions.shape();
      const Shape& ls = labels.shape();
      const int rank_diff = ps.rank() - ls.rank();
      auto last_may_be_one = [](const Shape& s) {
        const std::int64_t d = s.dims().back();
        return d == 1 || d == kUnknownDim;
      };
      if (rank_diff == 1 && last_may_be_one(ps)) predictions = squeeze(predictions, {-1});
      if (rank_diff == -1 && last_may_be_one(ls)) labels = squeeze(labels, {-1});
    }
    if (!predictions.shape().is_compatible_with(labels.shape())) {
      throw ValueError("Shapes " + predictions.shape().to_string() + " and " +
                       labels.shape().to_string() + " are incompatible");
    }
    std::optional<Input> weights;
    if (options.weights) weights = squeeze_weights(g, *options.weights, predictions, "accuracy");
    if (labels.dtype() != predictions.dtype()) predictions = cast(predictions, labels.dtype());
    const Tensor is_correct = cast(equal(predictions, labels), DType::kFloat32);
    // TF passes `name or "accuracy"` to mean: a given name, never uniquified as a default.
    const VariableScopeGuard scope =
        g.variable_scope(options.name.empty() ? std::string("accuracy") : options.name);
    return mean_body(g, is_correct, weights, options, "accuracy");
  });
}

}  // namespace varscope::metrics
