// Weight regularizers as tf.layers takes them (kernel_regularizer=, bias_regularizer=): a
// callable from the weights to a scalar loss, or to none. A layer calls it once, when it
// creates the variable, in the name scope "<layer>/<variable>/Regularizer", and adds the loss
// to REGULARIZATION_LOSSES (vs::losses::get_regularization_loss sums them).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <functional>
#include <optional>

#include "varscope/tensor.h"

namespace varscope {

// weights -> the loss (a scalar of the weights' dtype), or std::nullopt for no loss.
using Regularizer = std::function<std::optional<Tensor>(const Tensor& weights)>;

// tf.contrib.layers.l2_regularizer(scale): scale * l2_loss(weights), built under
// "l2_regularizer" as the Const "l2_regularizer/scale" (the weights' dtype), the L2Loss
// "l2_regularizer/L2Loss" and the Mul "l2_regularizer". A scale of 0 adds no loss; a
// negative one is TF's ValueError "Setting a scale less than 0 on a regularizer: <scale>."
// (tf.keras.regularizers.l2 builds another graph: Square, Sum, mul, add; not provided.)
Regularizer l2_regularizer(double scale);

}  // namespace varscope

#pragma GCC visibility pop
