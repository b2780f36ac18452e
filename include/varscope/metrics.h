// TF1's streaming metrics (tf.compat.v1.metrics): each builds TF 1.15's graph node for node —
// the local variables "<scope>/total" and "<scope>/count" (plain Variables named through the
// name scope, so after an op named "mean" they are "mean_1/total"), in LOCAL_VARIABLES and
// METRIC_VARIABLES, the value "<scope>/value" and the update "<scope>/update_op".
// local_variables_initializer resets them. Each call is one graph change: a failed call
// changes nothing.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <optional>
#include <string>
#include <vector>

#include "varscope/ops.h"
#include "varscope/tensor.h"

namespace varscope::metrics {

struct MetricOptions {
  // Unset: every value counts once. Else a scalar or a tensor broadcastable to the values (a
  // rank one more than theirs with a last dimension of 1 is squeezed, one less expanded, as
  // TF). A literal is TF's Python number or list: float32 for floating values.
  std::optional<Input> weights{};
  std::vector<std::string> metrics_collections{};  // collections the value joins
  std::vector<std::string> updates_collections{};  // collections the update joins
  std::string name{};  // the variable scope; empty: "accuracy" / "mean", uniquified
};

// A metric's (value, update_op) pair, as TF returns it: `value` reads total / count without
// changing them; running `update_op` adds a batch and gives the new value.
struct Metric {
  Tensor value;
  Tensor update_op;
};

// tf.metrics.mean: the (weighted) mean of every value seen since the variables were last
// initialized; 0 before any was seen. Values of any real dtype are cast to float32.
Metric mean(const Input& values, const MetricOptions& options = {});

// tf.metrics.accuracy: how often predictions equal labels (of compatible shapes; the
// predictions cast to the labels' dtype when they differ), weighted; "Equal" and its "Cast"
// are built in the caller's name scope, the rest is mean's, named "accuracy".
Metric accuracy(const Tensor& labels, const Tensor& predictions, const MetricOptions& options = {});

}  // namespace varscope::metrics

#pragma GCC visibility pop
