// TF1's losses (tf.compat.v1.losses): each builds TF 1.15's graph node for node (the weights'
// broadcast checks, "num_present", the "<loss>/value" DivNoNan) and adds its result to the
// LOSSES collection, so get_total_loss and a TF checkpoint's graph line up with TF's.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <optional>
#include <string>
#include <vector>

#include "varscope/ops.h"
#include "varscope/variable.h"

namespace varscope::losses {

// tf.compat.v1.losses.Reduction.
enum class Reduction {
  kNone,                 // the weighted losses, unreduced
  kSum,                  // their sum
  kSumOverBatchSize,     // the sum over the number of loss elements
  kMean,                 // the sum over the sum of the (broadcast) weights
  kSumByNonzeroWeights,  // TF1's default: the sum over the number of nonzero weights
};

struct LossOptions {
  // A scalar or a tensor broadcastable to the losses (rank 0, or the losses' rank with each
  // dimension 1 or the losses'). A literal is TF's Python number or list: float32.
  Input weights = 1.0f;
  std::string scope{};  // the name scope; empty: the loss's TF name ("mean_squared_error")
  std::optional<std::string> loss_collection = GraphKeys::kLosses;  // nullopt: none
  Reduction reduction = Reduction::kSumByNonzeroWeights;
};

// tf.losses.compute_weighted_loss: weights * losses reduced as `reduction` (scope default
// "weighted_loss"). The weights' shape is checked while building when it is known (TF's
// "weights can not be broadcast to values." vs::ValueError); docs/differences.md says what
// happens when it is not.
Tensor compute_weighted_loss(const Tensor& losses, const LossOptions& options = {});

// (predictions - labels)^2, weighted and reduced ("mean_squared_error").
Tensor mean_squared_error(const Input& labels,
                          const Input& predictions,
                          const LossOptions& options = {});
// |predictions - labels| ("absolute_difference").
Tensor absolute_difference(const Input& labels,
                           const Input& predictions,
                           const LossOptions& options = {});
// 0.5 x^2 for |x| <= delta, delta (|x| - 0.5 delta) beyond, x = predictions - labels
// ("huber_loss").
Tensor huber_loss(const Input& labels,
                  const Input& predictions,
                  const LossOptions& options = {},
                  double delta = 1.0);
// Softmax cross-entropy of [batch, classes] logits against int32/int64 class ids [batch]
// ("sparse_softmax_cross_entropy_loss", the op "…/xentropy/xentropy").
Tensor sparse_softmax_cross_entropy(const Input& labels,
                                    const Input& logits,
                                    const LossOptions& options = {});

// Softmax cross-entropy of [batch, classes] logits against one-hot (or distribution) labels
// of the same shape, smoothed to labels * (1 - s) + s / classes when s = label_smoothing > 0
// ("softmax_cross_entropy_loss": "labels_stop_gradient", then TF's
// softmax_cross_entropy_with_logits_v2 graph under "…/xentropy/").
Tensor softmax_cross_entropy(const Input& onehot_labels,
                             const Input& logits,
                             const LossOptions& options = {},
                             double label_smoothing = 0);
// Sigmoid cross-entropy of logits against labels of the same shape, the labels first
// smoothed to labels * (1 - label_smoothing) + 0.5 * label_smoothing when it is > 0
// ("sigmoid_cross_entropy_loss", its ops under "…/xentropy/").
Tensor sigmoid_cross_entropy(const Input& multi_class_labels,
                             const Input& logits,
                             const LossOptions& options = {},
                             double label_smoothing = 0);

// tf.losses.add_loss: `loss` joins `loss_collection`.
void add_loss(const Tensor& loss, const std::string& loss_collection = GraphKeys::kLosses);
// tf.losses.get_losses / get_regularization_losses: the collection, filtered by `scope`.
std::vector<Tensor> get_losses(const Graph& g,
                               const std::optional<std::string>& scope = {},
                               const std::string& loss_collection = GraphKeys::kLosses);
std::vector<Tensor> get_regularization_losses(const Graph& g,
                                              const std::optional<std::string>& scope = {});
// tf.losses.get_regularization_loss: the AddN of the regularization losses (an Identity
// for one, as TF's add_n), or the Const 0.0 when there are none.
Tensor get_regularization_loss(Graph& g,
                               const std::optional<std::string>& scope = {},
                               const std::string& name = "total_regularization_loss");
// tf.losses.get_total_loss: the AddN of the losses and, with add_regularization_losses, the
// regularization losses. No loss at all is TF's vs::ValueError.
Tensor get_total_loss(Graph& g,
                      bool add_regularization_losses = true,
                      const std::string& name = "total_loss",
                      const std::optional<std::string>& scope = {});

}  // namespace varscope::losses

#pragma GCC visibility pop
