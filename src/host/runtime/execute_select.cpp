// The Select and SelectV2 step: the run's shapes checked as TF's kernels check them (fed
// shapes the graph could not know), the three inputs' strides into the output, the
// backend's select.
#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// Strides of `s` right-aligned into an output of rank `rank` (0 along broadcast dims).
void strides_into(const Shape& s, int rank, std::int64_t* strides) {
  std::int64_t stride = 1;
  for (int d = rank - 1, sd = s.rank() - 1; d >= 0; --d, --sd) {
    const std::int64_t dim = sd >= 0 ? s.dim(sd) : 1;
    strides[d] = sd >= 0 && dim != 1 ? stride : 0;
    stride *= dim;
  }
}

}  // namespace

void SessionImpl::select(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& c = read(step, 0, slots, ctx);
  const Value& t = read(step, 1, slots, ctx);
  const Value& e = read(step, 2, slots, ctx);
  const std::string where = "\n\t [[{{node " + n.name + "}}]]";
  Shape shape;
  kernels::SelectArgs args;
  kernels::SelectBroadcast& bc = args.broadcast;
  const auto same_size = [&](const Shape& a, const Shape& b) {
    if (a != b) {
      throw InvalidArgumentError("'then' and 'else' must have the same size.  but received: " +
                                 a.to_list_string() + " vs. " + b.to_list_string() + where);
    }
  };
  if (n.op == OpType::kSelect) {
    // TF 1.15's SelectOp::Compute: a scalar condition, a vector one over the rows of higher
    // rank branches, or all three of one shape.
    const bool vector_cond = c.shape.rank() == 1 && t.shape.rank() > 1;
    if (c.shape.rank() == 0) {
      same_size(t.shape, e.shape);
    } else if (vector_cond) {
      if (t.shape.dim(0) != c.shape.dim(0)) {
        throw InvalidArgumentError(
            "Number of batches of 'then' must match size of 'cond', but saw: " +
            std::to_string(t.shape.dim(0)) + " vs. " + std::to_string(c.shape.dim(0)) + where);
      }
      same_size(t.shape, e.shape);
    } else {
      for (const Value* other : {&t, &e}) {
        if (other->shape != c.shape) {
          throw InvalidArgumentError("Inputs to operation " + n.name +
                                     " of type Select must have the same size and shape.  "
                                     "Input 0: " +
                                     c.shape.to_list_string() + " != input " +
                                     (other == &t ? "1" : "2") + ": " +
                                     other->shape.to_list_string() + where);
        }
      }
    }
    shape = t.shape;
    bc.rank = shape.rank();
    for (int d = 0; d < bc.rank; ++d)
      bc.out_dims[d] = shape.dim(d);
    if (vector_cond) {
      bc.strides[0][0] = 1;  // one condition per row
    } else if (c.shape.rank() != 0) {
      strides_into(c.shape, bc.rank, bc.strides[0]);
    }
  } else {
    // SelectV2Op: then and else broadcast, then the condition with them.
    std::optional<Shape> te = broadcast(t.shape, e.shape);
    if (!te) {
      throw InvalidArgumentError("then " + t.shape.to_list_string() + " and else " +
                                 e.shape.to_list_string() + " must be broadcastable" + where);
    }
    std::optional<Shape> all = broadcast(c.shape, *te);
    if (!all) {
      throw InvalidArgumentError("condition " + c.shape.to_list_string() + ", then " +
                                 t.shape.to_list_string() + ", and else " +
                                 e.shape.to_list_string() + " must be broadcastable" + where);
    }
    shape = std::move(*all);
    bc.rank = shape.rank();
    for (int d = 0; d < bc.rank; ++d)
      bc.out_dims[d] = shape.dim(d);
    strides_into(c.shape, bc.rank, bc.strides[0]);
  }
  if (shape.rank() > kernels::kMaxRank) {
    throw UnimplementedError("Select on rank > 8 (node " + n.name + ")");
  }
  strides_into(t.shape, bc.rank, bc.strides[1]);
  strides_into(e.shape, bc.rank, bc.strides[2]);
  const std::int64_t count = shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(count, t.dtype)), t.dtype, shape, -1};
  args.dtype = t.dtype;
  args.condition = static_cast<const bool*>(c.data.get());
  args.t = t.data.get();
  args.e = e.data.get();
  args.out = out.data.get();
  args.count = count;
  ctx.backend().select(args);
}

}  // namespace varscope::detail
