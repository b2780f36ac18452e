// tf.compat.v1.losses (losses_impl.py and losses/util.py of TF 1.15), node for node.
#include "varscope/losses.h"

#include <string>
#include <utility>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/graph_impl.h"
#include "host/graph/losses/weights_broadcast.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/math_ops.h"
#include "varscope/nn_ops.h"

namespace varscope::losses {

using detail::Access;
namespace tf = detail::losses;

namespace {

// The graph of a loss's tensor inputs; a call with none is vs::ValueError.
Graph graph_of(const Input& a, const Input& b, const char* loss) {
  if (!a.is_literal()) return a.tensor().graph();
  if (!b.is_literal()) return b.tensor().graph();
  throw ValueError(std::string(loss) + " needs a Tensor input to know its graph");
}

// A building call: all or nothing (a failure leaves the graph as it was, names included).
template <typename F>
Tensor building(Graph& g, F&& build) {
  return Access::impl(g)->mutate(std::forward<F>(build));
}

// math_ops.cast(x, dtype) of a loss input or weights: a Tensor of another dtype gets a
// Cast; a literal is converted first, under the cast's scope, as the Const "Cast/x" (a
// Python float's float32; integers get the Cast too).
Tensor cast_input(Graph& g, const Input& x, DType dtype) {
  if (!x.is_literal()) return cast(x.tensor(), dtype);
  const HostTensor& v = x.literal();
  const NameScope scope = g.name_scope(std::nullopt, "Cast");
  const Tensor c =
      constant(g, v.dtype() == DType::kFloat64 ? v.cast(DType::kFloat32) : v, {.name = "x"});
  return cast(c, dtype, scope.name());
}

// A `scope` argument: empty is TF's None (the default name), not the root.
std::optional<std::string_view> scope_arg(const std::string& scope) {
  if (scope.empty()) return std::nullopt;
  return scope;
}

// _safe_mean: sum(losses) / num_present, 0 where num_present is 0 ("value").
Tensor safe_mean(const Tensor& losses, const Tensor& num_present) {
  return div_no_nan(reduce_sum(losses), num_present, "value");
}

// _num_elements: the size of `losses` as its dtype, under "num_elements".
Tensor num_elements(Graph& g, const Tensor& losses) {
  const NameScope scope = g.name_scope(std::nullopt, "num_elements");
  return cast(size(losses, scope.name()), losses.dtype());
}

// _num_present: how many loss elements have a nonzero weight, under "num_present".
Tensor num_present(Graph& g, const Tensor& losses, const Tensor& weights) {
  const NameScope scope = g.name_scope(std::nullopt, "num_present");
  const Tensor w = cast(weights, DType::kFloat32);
  // Named in TF's order: each argument built before the next.
  const Tensor is_zero = equal(w, 0.0f);
  const Tensor zeros = tf::zeros_like(g, w);
  const Tensor ones = tf::ones_like(g, w);
  const Tensor present = tf::broadcast_weights(g, where(is_zero, zeros, ones), losses);
  return reduce_sum(present, {.name = scope.name()});
}

Tensor weighted_loss(Graph& g,
                     const Tensor& losses_in,
                     const LossOptions& o,
                     std::optional<std::string_view> scope) {
  // The loss functions pass their own scope ("mean_squared_error/"): re-entered verbatim.
  const NameScope in_scope = g.name_scope(scope, "weighted_loss");
  const Operation check = tf::assert_broadcastable(g, o.weights, losses_in);
  const ControlDependencies after_check = g.control_dependencies(std::vector<Operation>{check});
  const DType input_dtype = losses_in.dtype();
  const Tensor losses = cast(losses_in, DType::kFloat32);
  const Tensor weights = cast_input(g, o.weights, DType::kFloat32);
  const Tensor weighted = multiply(losses, weights);
  Tensor loss = weighted;
  switch (o.reduction) {
    case Reduction::kNone:
      break;
    case Reduction::kSum:
      loss = reduce_sum(weighted);
      break;
    case Reduction::kMean: {
      loss = reduce_sum(weighted);
      const Tensor ones = tf::ones_like(g, losses);
      const Tensor count = reduce_sum(ones * weights);
      loss = safe_mean(loss, count);
      break;
    }
    case Reduction::kSumByNonzeroWeights:
      loss = reduce_sum(weighted);
      loss = safe_mean(loss, num_present(g, losses, weights));
      break;
    case Reduction::kSumOverBatchSize:
      loss = reduce_sum(weighted);
      loss = safe_mean(loss, num_elements(g, losses));
      break;
  }
  loss = cast(loss, input_dtype);
  if (o.loss_collection) g.add_to_collection(*o.loss_collection, loss);
  return loss;
}

// predictions and labels as float32 of compatible shapes (TF's assert_is_compatible_with).
std::pair<Tensor, Tensor> float_pair(Graph& g, const Input& labels, const Input& predictions) {
  const Tensor p = cast_input(g, predictions, DType::kFloat32);
  const Tensor l = cast_input(g, labels, DType::kFloat32);
  if (!p.shape().is_compatible_with(l.shape())) {
    throw ValueError("Shapes " + p.shape().to_string() + " and " + l.shape().to_string() +
                     " are incompatible");
  }
  return {l, p};
}

// The regression losses' one frame (`name` is the loss's scope): float32 predictions and
// labels of compatible shapes, then `per_element(g, labels, predictions)` weighted and reduced.
template <typename PerElement>
Tensor regression_loss(const Input& labels,
                       const Input& predictions,
                       const LossOptions& options,
                       const char* name,
                       PerElement per_element) {
  Graph g = graph_of(labels, predictions, name);
  return building(g, [&] {
    const NameScope scope = g.name_scope(scope_arg(options.scope), name);
    const auto [l, p] = float_pair(g, labels, predictions);
    return weighted_loss(g, per_element(g, l, p), options, scope.name());
  });
}

// The logits as a tensor and the labels cast to their dtype, of compatible shapes (TF's
// logits.get_shape().assert_is_compatible_with(labels.get_shape())).
std::pair<Tensor, Tensor> logits_and_labels(Graph& g, const Input& logits, const Input& labels) {
  Tensor x = logits.is_literal() ? constant(g, logits.literal()) : logits.tensor();
  Tensor cast_labels = cast_input(g, labels, x.dtype());
  if (!x.shape().is_compatible_with(cast_labels.shape())) {
    throw ValueError("Shapes " + x.shape().to_string() + " and " + cast_labels.shape().to_string() +
                     " are incompatible");
  }
  return {std::move(x), std::move(cast_labels)};
}

}  // namespace

Tensor compute_weighted_loss(const Tensor& losses, const LossOptions& options) {
  Graph g = losses.graph();
  return building(g, [&] { return weighted_loss(g, losses, options, scope_arg(options.scope)); });
}

Tensor mean_squared_error(const Input& labels,
                          const Input& predictions,
                          const LossOptions& options) {
  return regression_loss(
      labels, predictions, options, "mean_squared_error",
      [](Graph&, const Tensor& l, const Tensor& p) { return squared_difference(p, l); });
}

Tensor absolute_difference(const Input& labels,
                           const Input& predictions,
                           const LossOptions& options) {
  return regression_loss(
      labels, predictions, options, "absolute_difference",
      [](Graph&, const Tensor& l, const Tensor& p) { return abs(subtract(p, l)); });
}

Tensor huber_loss(const Input& labels,
                  const Input& predictions,
                  const LossOptions& options,
                  double delta) {
  const auto delta_f = static_cast<float>(delta);
  return regression_loss(labels, predictions, options, "huber_loss",
                         [&](Graph& g, const Tensor& l, const Tensor& p) {
                           const Tensor abs_error = abs(subtract(p, l));
                           const Tensor quadratic = minimum(abs_error, delta_f);
                           const Tensor linear = subtract(abs_error, quadratic);
                           const Tensor half = constant(g, HostTensor(0.5f));
                           const Tensor square = multiply(quadratic, quadratic);
                           const Tensor quadratic_part = multiply(half, square);
                           const Tensor linear_part = multiply(delta_f, linear);
                           return add(quadratic_part, linear_part);
                         });
}

Tensor sparse_softmax_cross_entropy(const Input& labels,
                                    const Input& logits,
                                    const LossOptions& options) {
  Graph g = graph_of(logits, labels, "sparse_softmax_cross_entropy");
  return building(g, [&] {
    const NameScope scope =
        g.name_scope(scope_arg(options.scope), "sparse_softmax_cross_entropy_loss");
    // _remove_squeezable_dimensions: labels [batch] against logits [batch, classes] need no
    // squeeze; the scope is entered all the same, and the weights become a tensor here.
    g.name_scope(std::nullopt, "remove_squeezable_dimensions");
    LossOptions o = options;
    if (o.weights.is_literal()) {
      const HostTensor& w = o.weights.literal();
      o.weights = constant(g, w.dtype() == DType::kFloat64 ? w.cast(DType::kFloat32) : w);
    }
    const Tensor losses = sparse_softmax_cross_entropy_with_logits(labels, logits, "xentropy");
    return weighted_loss(g, losses, o, scope.name());
  });
}

Tensor softmax_cross_entropy(const Input& onehot_labels,
                             const Input& logits,
                             const LossOptions& options,
                             double label_smoothing) {
  Graph g = graph_of(logits, onehot_labels, "softmax_cross_entropy");
  return building(g, [&] {
    const NameScope scope = g.name_scope(scope_arg(options.scope), "softmax_cross_entropy_loss");
    auto [x, labels] = logits_and_labels(g, logits, onehot_labels);
    if (label_smoothing > 0) {
      const Tensor classes = cast(index(shape(labels), {-1}), x.dtype());
      const Tensor negatives = divide(static_cast<float>(label_smoothing), classes);
      const Tensor positives = labels * static_cast<float>(1 - label_smoothing);
      labels = positives + negatives;
    }
    labels = stop_gradient(labels, "labels_stop_gradient");
    const Tensor losses = tf::softmax_cross_entropy_v2(g, labels, x, "xentropy");
    return weighted_loss(g, losses, options, scope.name());
  });
}

Tensor sigmoid_cross_entropy(const Input& multi_class_labels,
                             const Input& logits,
                             const LossOptions& options,
                             double label_smoothing) {
  Graph g = graph_of(logits, multi_class_labels, "sigmoid_cross_entropy");
  return building(g, [&] {
    const NameScope scope = g.name_scope(scope_arg(options.scope), "sigmoid_cross_entropy_loss");
    auto [x, labels] = logits_and_labels(g, logits, multi_class_labels);
    if (label_smoothing > 0) {
      const Tensor kept = labels * static_cast<float>(1 - label_smoothing);
      labels = kept + static_cast<float>(0.5 * label_smoothing);
    }
    const Tensor losses = sigmoid_cross_entropy_with_logits(labels, x, "xentropy");
    return weighted_loss(g, losses, options, scope.name());
  });
}

void add_loss(const Tensor& loss, const std::string& loss_collection) {
  loss.graph().add_to_collection(loss_collection, loss);
}

std::vector<Tensor> get_losses(const Graph& g,
                               const std::optional<std::string>& scope,
                               const std::string& loss_collection) {
  return g.get_collection_tensors(loss_collection, scope);
}

std::vector<Tensor> get_regularization_losses(const Graph& g,
                                              const std::optional<std::string>& scope) {
  return g.get_collection_tensors(GraphKeys::kRegularizationLosses, scope);
}

Tensor get_regularization_loss(Graph& g,
                               const std::optional<std::string>& scope,
                               const std::string& name) {
  return building(g, [&] {
    const std::vector<Tensor> losses = get_regularization_losses(g, scope);
    if (losses.empty()) return constant(g, HostTensor(0.0f));
    return add_n(losses, name);
  });
}

Tensor get_total_loss(Graph& g,
                      bool add_regularization_losses,
                      const std::string& name,
                      const std::optional<std::string>& scope) {
  return building(g, [&] {
    std::vector<Tensor> losses = get_losses(g, scope);
    if (add_regularization_losses) {
      for (const Tensor& t : get_regularization_losses(g, scope))
        losses.push_back(t);
    }
    if (losses.empty()) {
      throw ValueError(
          "inputs must be a list of at least one Tensor/IndexedSlices with the same dtype and "
          "shape");
    }
    return add_n(losses, name);
  });
}

}  // namespace varscope::losses
