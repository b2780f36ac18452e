// TF1's tf.nn activations beyond relu/sigmoid/tanh: each one node of TF's op type, named as
// TF 1.15 names it (the default name in the comment), with TF's gradient ops.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string_view>

#include "varscope/ops.h"

namespace varscope {

// features > 0 ? features : alpha * features ("LeakyRelu"; TF's default alpha 0.2). Integer
// features are first cast to float32 ("LeakyRelu/Cast"), as TF.
Tensor leaky_relu(const Input& features, double alpha = 0.2, std::string_view name = {});
// features < 0 ? exp(features) - 1 : features ("Elu").
Tensor elu(const Input& features, std::string_view name = {});
// log(1 + exp(features)) ("Softplus").
Tensor softplus(const Input& features, std::string_view name = {});
// min(max(features, 0), 6) ("Relu6").
Tensor relu6(const Input& features, std::string_view name = {});

}  // namespace varscope

#pragma GCC visibility pop
