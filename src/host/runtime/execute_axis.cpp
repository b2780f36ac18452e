// The ArgMax/ArgMin and Cumsum steps: the axis read on the host (from the graph when it is
// a Const), the run's shapes and axis checked by the node's shape function in TF's kernel
// words, x viewed as [outer, n, inner] around the axis, the backend's arg_reduce or scan.
#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/graph/shape_fn.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

void SessionImpl::axis_op(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& x = read(step, 0, slots, ctx);
  const HostTensor axis = host_input(step, 1, slots, ctx);
  const Shape axis_shape = axis.shape();
  // Always checked: graph building does not check every axis (a vector's, Cumsum's).
  const ShapeInput in[] = {{x.dtype, &x.shape, nullptr}, {axis.dtype(), &axis_shape, &axis}};
  OutputSpec spec = run_time_outputs(n, in).at(0);
  const int rank = x.shape.rank();
  auto a = static_cast<std::int64_t>(axis.element_as_double(0));
  if (a < 0) a += rank;
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < rank; ++d) {
    if (d < a) outer *= x.shape.dim(d);
    if (d > a) inner *= x.shape.dim(d);
  }
  const std::int64_t along = x.shape.dim(static_cast<int>(a));
  const std::int64_t count = spec.shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(count, spec.dtype)), spec.dtype, std::move(spec.shape), -1};
  if (step.kind == OpKind::kArgReduce) {
    ctx.backend().arg_reduce({.op = n.op == OpType::kArgMin ? kernels::ArgReduceOp::kArgMin
                                                            : kernels::ArgReduceOp::kArgMax,
                              .dtype = x.dtype,
                              .index_dtype = out.dtype,
                              .x = x.data.get(),
                              .out = out.data.get(),
                              .outer = outer,
                              .n = along,
                              .inner = inner});
    return;
  }
  ctx.backend().scan(
      {.op = n.op == OpType::kCumprod ? kernels::ReduceOp::kProd : kernels::ReduceOp::kSum,
       .dtype = x.dtype,
       .exclusive = attr<bool>(n, attr_name::kExclusive),
       .reverse = attr<bool>(n, attr_name::kReverse),
       .x = x.data.get(),
       .out = out.data.get(),
       .outer = outer,
       .n = along,
       .inner = inner});
}

}  // namespace varscope::detail
