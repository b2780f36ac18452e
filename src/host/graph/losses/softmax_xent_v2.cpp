// nn.softmax_cross_entropy_with_logits_v2 as TF 1.15's Python builds it (nn_ops.py): the
// logits and labels flattened to matrices (_flatten_outer_dims: Rank, Shape, Sub, a Pack,
// Slice, ConcatV2, Reshape each), the op named after the scope, and its cost reshaped back
// to the logits' outer shape. tf.losses.softmax_cross_entropy uses it.
#include <utility>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/losses/weights_broadcast.h"
#include "varscope/array_ops.h"
#include "varscope/ops.h"

namespace varscope::detail::losses {
namespace {

// array_ops.slice(input, begin, size) where one of the two is a one-element list holding a
// tensor: converting it packs it ("Slice/begin" or "Slice/size"); the other, a list of one
// number, becomes a Const. Inputs are converted in the op's order: begin, then size.
enum class Packed { kBegin, kSize };
Tensor slice_with_packed(
    Graph& g, const Tensor& input, Packed which, const Tensor& packed, std::int32_t number) {
  const NameScope scope = g.name_scope(std::nullopt, "Slice");
  const HostTensor list(std::vector<std::int32_t>{number});
  const Tensor begin =
      which == Packed::kBegin ? stack({packed}, 0, "begin") : constant(g, list, {.name = "begin"});
  const Tensor size =
      which == Packed::kSize ? stack({packed}, 0, "size") : constant(g, list, {.name = "size"});
  return slice(input, begin, size, scope.name());
}

// Tensor.set_shape on an output whose shape function could not know it.
void set_static_shape(Graph& g, const Tensor& t, Shape shape) {
  GraphImpl& impl = *Access::impl(g);
  impl.set_output_shape(impl.ref_of(t), std::move(shape));
}

// _flatten_outer_dims: x as [-1, last dimension].
Tensor flatten_outer_dims(Graph& g, const Tensor& x) {
  const Tensor rank = varscope::rank(x);
  const Tensor shape = varscope::shape(x);
  const Tensor last = subtract(rank, 1);
  const Tensor last_dim_size = slice_with_packed(g, shape, Packed::kBegin, last, 1);
  // concat([[-1], last_dim_size], 0): the list [-1] is converted inside the op's scope.
  const Tensor new_shape = [&] {
    const NameScope concat_scope = g.name_scope(std::nullopt, "concat");
    const Tensor minus_one =
        constant(g, HostTensor(std::vector<std::int32_t>{-1}), {.name = "values_0"});
    return concat({minus_one, last_dim_size}, 0, concat_scope.name());
  }();
  const Tensor out = reshape(x, new_shape);
  // TF's output.set_shape([product of the outer dims, last]) when they are all known.
  const Shape& s = x.shape();
  if (s.has_rank() && s.rank() >= 1) {
    std::int64_t outer = 1;
    bool known = true;
    for (int i = 0; i + 1 < s.rank(); ++i) {
      const std::int64_t d = s.dims()[static_cast<std::size_t>(i)];
      if (d == kUnknownDim) known = false;
      outer *= d;
    }
    if (known) set_static_shape(g, out, Shape{outer, s.dims().back()});
  }
  return out;
}

}  // namespace

Tensor softmax_cross_entropy_v2(Graph& g,
                                const Tensor& labels,
                                const Tensor& logits,
                                const std::string& name) {
  const NameScope scope = g.name_scope(name, "softmax_cross_entropy_with_logits");
  const Tensor input_rank = varscope::rank(logits);
  const Tensor input_shape = varscope::shape(logits);
  const Tensor flat_logits = flatten_outer_dims(g, logits);
  const Tensor flat_labels = flatten_outer_dims(g, labels);
  const Tensor cost = softmax_cross_entropy_with_logits(flat_labels, flat_logits, scope.name());
  const Tensor outer_rank = subtract(input_rank, 1);
  const Tensor output_shape = slice_with_packed(g, input_shape, Packed::kSize, outer_rank, 0);
  const Tensor out = reshape(cost, output_shape);
  // TF's cost.set_shape(the logits' shape without its last dimension) when the rank is known.
  if (logits.shape().has_rank() && logits.shape().rank() >= 1) {
    std::vector<std::int64_t> dims = logits.shape().dims();
    dims.pop_back();
    set_static_shape(g, out, Shape(dims));
  }
  return out;
}

}  // namespace varscope::detail::losses
