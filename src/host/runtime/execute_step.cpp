// One step of a plan on the backend: its run-time shape checks, its output's memory
// (a temporary from the run context, or the variable it initializes) and the kernel call.
#include <algorithm>
#include <optional>
#include <random>
#include <utility>

#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// BiasAdd's run-time rules, for fed shapes the graph could not check (TF's texts).
void check_bias_add(const Node& n, const Shape& value, const Shape& bias) {
  const std::string where = "\n\t [[{{node " + n.name + "}}]]";
  if (value.rank() < 2) {
    throw InvalidArgumentError("Input tensor must be at least 2D: " + value.to_list_string() +
                               where);
  }
  if (bias.rank() != 1) {
    throw InvalidArgumentError("Biases must be 1D: " + bias.to_list_string() + where);
  }
  if (bias.dim(0) != value.dim(value.rank() - 1)) {
    throw InvalidArgumentError(
        "Must provide as many biases as the last dimension of the input tensor: " +
        bias.to_list_string() + " vs. " + value.to_list_string() + where);
  }
}

std::int64_t host_integer(const HostTensor& t) {
  return static_cast<std::int64_t>(t.element_as_double(0));
}

}  // namespace

HostTensor SessionImpl::host_input(const Step& step,
                                   std::size_t input,
                                   std::vector<Value>& slots,
                                   RunContext& ctx) {
  const int node = step.host_consts[input];
  if (node >= 0) return attr<HostTensor>(graph->node(node), attr_name::kValue);
  return to_host(read(step, input, slots, ctx));
}

const Value& SessionImpl::read(const Step& step,
                               std::size_t input,
                               std::vector<Value>& slots,
                               RunContext& ctx) const {
  const Value& v = slots[static_cast<std::size_t>(step.inputs[input])];
  if (v.variable >= 0) {
    ctx.note({GraphCheck::kRead, v.variable, step.node});
    if (!variables[static_cast<std::size_t>(v.variable)].initialized) {
      throw_uninitialized(v.variable, step.node);
    }
  }
  return v;
}

void SessionImpl::execute(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  // A NoOp has no output slot; a Placeholder is always fed (a plan with an unfed one is
  // never built).
  if (step.kind == OpKind::kNoOp || step.kind == OpKind::kPlaceholder) return;
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  switch (step.kind) {
    case OpKind::kNoOp:
    case OpKind::kPlaceholder:
      return;
    case OpKind::kConst: {
      auto it = constants_.find(step.node);
      if (it == constants_.end()) {
        // Uploaded by the plain first run; an upload waits for the stream: not while recording.
        if (ctx.recording()) throw InternalError("A constant uploaded while recording");
        const HostTensor& value = attr<HostTensor>(n, attr_name::kValue);
        Value v{allocate(*backend, value.nbytes()), value.dtype(), value.shape(), -1};
        backend->copy_from_host(v.data.get(), value.raw_data(), value.nbytes());
        it = constants_.emplace(step.node, std::move(v)).first;
      }
      out = it->second;
      return;
    }
    case OpKind::kVariable: {
      const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(n.variable));
      out = Value{storage(n.variable, &ctx).data, rec.dtype, rec.shape, n.variable};
      return;
    }
    case OpKind::kIdentity: {
      const Value& in = read(step, 0, slots, ctx);
      out = Value{in.data, in.dtype, in.shape, -1};
      return;
    }
    case OpKind::kAssign: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const Value& value = read(step, 1, slots, ctx);
      if (ref.variable < 0) throw InternalError("Assign to a non-variable in node " + n.name);
      if (value.shape != ref.shape || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Assign requires shapes of both tensors to match. lhs shape= " +
                                   ref.shape.to_list_string() +
                                   " rhs shape= " + value.shape.to_list_string());
      }
      if (!step.assign_in_place) {
        backend->copy(ref.data.get(), value.data.get(),
                      byte_size(value.shape.num_elements(), value.dtype));
      }
      variables[static_cast<std::size_t>(ref.variable)].initialized = true;
      ctx.note({GraphCheck::kAssign, ref.variable, step.node});
      out = ref;
      return;
    }
    case OpKind::kAssignAdd: {
      const Value& ref = read(step, 0, slots, ctx);  // adding to an uninitialized value is a read
      const Value& value = read(step, 1, slots, ctx);
      if (value.shape.num_elements() != ref.shape.num_elements() || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Parameters and update must be the same size\n\t [[{{node " +
                                   n.name + "}}]]");
      }
      backend->binary(
          {.op = kernels::BinaryOp::kAdd,
           .dtype = ref.dtype,
           .broadcast = {.rank = 1,
                         .out_dims = {std::max<std::int64_t>(1, ref.shape.num_elements())},
                         .x_strides = {1},
                         .y_strides = {1}},
           .x = ref.data.get(),
           .y = value.data.get(),
           .out = ref.data.get(),
           .count = ref.shape.num_elements()});
      out = ref;
      return;
    }
    case OpKind::kIsVariableInitialized: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const bool initialized = variables[static_cast<std::size_t>(ref.variable)].initialized;
      const std::uint8_t byte = initialized ? 1 : 0;
      out = Value{ctx.temporary(1), DType::kBool, Shape(), -1};
      backend->copy_from_host(out.data.get(), &byte, 1);
      return;
    }
    case OpKind::kFill: {
      const HostTensor value = host_input(step, 1, slots, ctx);
      const OutputSpec& spec = n.outputs[0];
      out = step.into_variable >= 0
                ? Value{storage(step.into_variable, &ctx).data, spec.dtype, spec.shape, -1}
                : Value{ctx.temporary(value.nbytes() *
                                      static_cast<std::size_t>(spec.shape.num_elements())),
                        spec.dtype, spec.shape, -1};
      backend->fill({.dst = out.data.get(),
                     .pattern = value.raw_data(),
                     .element_size = value.nbytes(),
                     .count = spec.shape.num_elements()});
      return;
    }
    case OpKind::kRandomUniform:
    case OpKind::kRandomNormal:
    case OpKind::kTruncatedNormal:
    case OpKind::kRandomUniformInt:
    case OpKind::kFusedRandom:
      return random(step, slots, ctx);
    case OpKind::kUnary: {
      const Value& x = read(step, 0, slots, ctx);
      out = Value{ctx.temporary(byte_size(x.shape.num_elements(), x.dtype)), x.dtype, x.shape, -1};
      backend->unary({.op = step.unary,
                      .dtype = x.dtype,
                      .x = x.data.get(),
                      .out = out.data.get(),
                      .count = x.shape.num_elements()});
      return;
    }
    case OpKind::kSoftmax: {
      const Value& x = read(step, 0, slots, ctx);
      if (x.shape.rank() < 1) {  // a placeholder of unknown rank fed a scalar
        throw InvalidArgumentError("logits must have >= 1 dimension, got " +
                                   x.shape.to_list_string() + "\n\t [[{{node " + n.name + "}}]]");
      }
      const std::int64_t cols = x.shape.dim(x.shape.rank() - 1);
      const std::int64_t rows = cols == 0 ? 0 : x.shape.num_elements() / cols;
      out = Value{ctx.temporary(byte_size(x.shape.num_elements(), x.dtype)), x.dtype, x.shape, -1};
      backend->softmax(
          {.dtype = x.dtype, .x = x.data.get(), .out = out.data.get(), .rows = rows, .cols = cols});
      return;
    }
    case OpKind::kCast: {
      const Value& x = read(step, 0, slots, ctx);
      const DType to = n.outputs[0].dtype;
      out = Value{ctx.temporary(byte_size(x.shape.num_elements(), to)), to, x.shape, -1};
      backend->cast({.from = x.dtype,
                     .to = to,
                     .x = x.data.get(),
                     .out = out.data.get(),
                     .count = x.shape.num_elements()});
      return;
    }
    case OpKind::kMatMul:
      return matmul(step, slots, ctx);
    case OpKind::kActivationGrad:
    case OpKind::kAddN:
    case OpKind::kFillLike:
    case OpKind::kSumToShape:
    case OpKind::kBroadcastToShape:
    case OpKind::kXent:
    case OpKind::kApplyUpdate:
      return execute_training(step, slots, ctx);
    case OpKind::kAlias:
    case OpKind::kShapeOf:
    case OpKind::kHostArray:
    case OpKind::kCopy:
      return execute_array(step, slots, ctx);
    case OpKind::kReduce:
      return reduce(step, slots, ctx);
    case OpKind::kBinary: {
      const Value& x = read(step, 0, slots, ctx);
      const Value& y = read(step, 1, slots, ctx);
      if (n.op == OpType::kBiasAdd) check_bias_add(n, x.shape, y.shape);
      std::optional<Shape> broadcast_shape = broadcast(x.shape, y.shape);
      if (!broadcast_shape) {  // fed shapes the graph could not know
        throw InvalidArgumentError("Incompatible shapes: " + x.shape.to_list_string() + " vs. " +
                                   y.shape.to_list_string() + "\n\t [[{{node " + n.name + "}}]]");
      }
      const Shape& shape = *broadcast_shape;
      if (shape.rank() > kernels::kMaxRank) {
        throw UnimplementedError("elementwise ops on rank > 8 (node " + n.name + ")");
      }
      kernels::BinaryArgs args;  // built in place: no copy of its broadcast per run
      kernels::Broadcast& bc = args.broadcast;
      bc.rank = shape.rank();
      for (int d = 0; d < bc.rank; ++d)
        bc.out_dims[d] = shape.dim(d);
      auto strides = [&](const Shape& s, std::int64_t* out_strides) {
        std::int64_t stride = 1;
        for (int d = bc.rank - 1, sd = s.rank() - 1; d >= 0; --d, --sd) {
          const std::int64_t dim = sd >= 0 ? s.dim(sd) : 1;
          out_strides[d] = dim == 1 ? 0 : stride;
          stride *= dim;
        }
      };
      strides(x.shape, bc.x_strides);
      strides(y.shape, bc.y_strides);
      const std::int64_t count = shape.num_elements();
      out = Value{ctx.temporary(byte_size(count, x.dtype)), x.dtype, shape, -1};
      args.op = step.binary;
      args.dtype = x.dtype;
      args.x = x.data.get();
      args.y = y.data.get();
      args.out = out.data.get();
      args.count = count;
      backend->binary(args);
      return;
    }
  }
}

void SessionImpl::random(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const int random_node = step.random_node >= 0 ? step.random_node : step.node;
  const Node& n = graph->node(random_node);
  const OutputSpec& spec = n.outputs[0];
  const std::int64_t count = spec.shape.num_elements();

  kernels::RandomSpec rs;
  rs.affine = step.affine;
  const OpKind kind = step.kind == OpKind::kFusedRandom ? step.random_kind : step.kind;
  switch (kind) {
    case OpKind::kRandomUniform:
      rs.dist = kernels::RandomDistribution::kUniform;
      break;
    case OpKind::kRandomNormal:
      rs.dist = kernels::RandomDistribution::kNormal;
      break;
    case OpKind::kTruncatedNormal:
      rs.dist = kernels::RandomDistribution::kTruncatedNormal;
      break;
    default:
      // Checked before anything is drawn: bad bounds change neither output nor stream.
      rs.dist = kernels::RandomDistribution::kUniformInt;
      rs.minval = host_integer(host_input(step, 1, slots, ctx));
      rs.maxval = host_integer(host_input(step, 2, slots, ctx));
      if (rs.minval >= rs.maxval) {
        throw InvalidArgumentError("Need minval < maxval: " + std::to_string(rs.minval) +
                                   " >= " + std::to_string(rs.maxval));
      }
      break;
  }

  // Exactly `count` elements: variables are allocated to size.
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = step.into_variable >= 0
            ? Value{storage(step.into_variable, &ctx).data, spec.dtype, spec.shape, -1}
            : Value{ctx.temporary(byte_size(count, spec.dtype)), spec.dtype, spec.shape, -1};

  // Philox stream: (seed, seed2) from the graph's seed rules; (0, 0) = nondeterministic,
  // drawn once per op and session. Re-running the op continues its stream (TF's behaviour).
  std::uint64_t& seed = rng_seeds_[random_node];
  if (seed == 0) {
    const auto s1 = static_cast<std::uint64_t>(attr<std::int64_t>(n, attr_name::kSeed));
    const auto s2 = static_cast<std::uint64_t>(attr<std::int64_t>(n, attr_name::kSeed2));
    seed = (s1 == 0 && s2 == 0)
               ? (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) | 1
               : (s1 << 32) | s2;
  }
  std::uint64_t& offset = rng_offsets_[random_node];
  rs.seed = seed;
  rs.offset = offset;
  if (count > 0) {
    backend->random({.spec = rs, .dtype = spec.dtype, .out = out.data.get(), .count = count});
  }
  offset += kernels::random_stream_words(count, dtype_size(spec.dtype));
}

void SessionImpl::matmul(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& a = read(step, 0, slots, ctx);
  const Value& b = read(step, 1, slots, ctx);
  const bool batched = n.op == OpType::kBatchMatMulV2;
  const bool ta = attr<bool>(n, batched ? attr_name::kAdjX : attr_name::kTransposeA);
  const bool tb = attr<bool>(n, batched ? attr_name::kAdjY : attr_name::kTransposeB);
  // Any rank >= 2 runs (a MatMul of unknown rank may be fed a batch).
  const MatMulShape rule = matmul_shape(a.shape, b.shape, ta, tb, /*batched=*/true);
  using Failure = MatMulShape::Failure;
  if (rule.failure == Failure::kRank) {
    throw InvalidArgumentError(
        "In[0] and In[1] must be at least rank 2: " + a.shape.to_list_string() + " vs. " +
        b.shape.to_list_string() + "\n\t [[{{node " + n.name + "}}]]");
  }
  if (rule.failure == Failure::kInnerDims) {
    throw InvalidArgumentError("Matrix size-incompatible: In[0]: " + a.shape.to_list_string() +
                               ", In[1]: " + b.shape.to_list_string() + "\n\t [[{{node " + n.name +
                               "}}]]");
  }
  // Batch dims: the same on both sides, or one side with a single matrix for all.
  const std::int64_t na = rule.batch_a.num_elements(), nb = rule.batch_b.num_elements();
  const auto unsupported_batch = [&] {
    return UnimplementedError("BatchMatMul broadcasting of batch shapes " +
                              rule.batch_a.to_list_string() + " and " +
                              rule.batch_b.to_list_string());
  };
  if (na != nb && na != 1 && nb != 1) throw unsupported_batch();
  if (rule.failure == Failure::kBatchDims) {
    throw InvalidArgumentError("In[0] and In[1] must have compatible batch dimensions: " +
                               a.shape.to_list_string() + " vs. " + b.shape.to_list_string());
  }
  runtime::Backend::MatMulShape s;
  s.transpose_a = ta;
  s.transpose_b = tb;
  s.m = rule.m;
  s.k = rule.k_a;
  s.n = rule.n;
  // An empty batch on either side (a [0, m, k] against a matrix) is an empty product: no
  // GEMM reads the other side for batches that do not exist.
  s.batch = (na == 0 || nb == 0) ? 0 : std::max(na, nb);
  // Equal batch counts of different layouts ([1, 2] and [2, 1]) broadcast to more matrices
  // than either side holds: not one strided product.
  if (s.batch != 0 && rule.out.num_elements() != s.batch * s.m * s.n) throw unsupported_batch();
  s.stride_a = na == 1 ? 0 : s.m * s.k;
  s.stride_b = nb == 1 ? 0 : s.k * s.n;
  s.stride_c = s.m * s.n;
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(rule.out.num_elements(), a.dtype)), a.dtype, rule.out, -1};
  if (rule.out.num_elements() == 0) return;
  if (s.k == 0) {  // an empty sum: zeros
    const std::uint64_t zero = 0;
    backend->fill({.dst = out.data.get(),
                   .pattern = &zero,
                   .element_size = dtype_size(a.dtype),
                   .count = s.batch * s.m * s.n});
    return;
  }
  backend->matmul(
      {.dtype = a.dtype, .shape = s, .a = a.data.get(), .b = b.data.get(), .c = out.data.get()});
}

void SessionImpl::reduce(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& x = read(step, 0, slots, ctx);
  // Constant axes come from the graph, with no round trip through the device.
  const HostTensor axes_value =
      step.host_axes >= 0 ? attr<HostTensor>(graph->node(step.host_axes), attr_name::kValue)
                          : to_host(read(step, 1, slots, ctx));
  const bool keepdims = attr<bool>(n, attr_name::kKeepDims);
  const int rank = x.shape.rank();
  if (rank > kernels::kMaxRank)
    throw UnimplementedError("reductions of rank > 8 (node " + n.name + ")");
  std::vector<std::int64_t> axes;
  for (std::int64_t i = 0; i < axes_value.num_elements(); ++i)
    axes.push_back(static_cast<std::int64_t>(axes_value.element_as_double(i)));
  const ReductionAxes rule = reduction_axes(rank, axes, /*allow_duplicates=*/false);
  if (rule.failure == ReductionAxes::Failure::kOutOfRange) {
    throw InvalidArgumentError("Invalid reduction dimension (" + std::to_string(rule.bad_axis) +
                               " for input with " + std::to_string(rank) + " dimension(s)");
  }
  if (rule.failure == ReductionAxes::Failure::kDuplicate) {
    throw InvalidArgumentError("Invalid reduction arguments: Axes contains duplicate dimension: " +
                               std::to_string(rule.bad_axis) + "\n\t [[{{node " + n.name + "}}]]");
  }
  const std::vector<bool>& reduced = rule.reduced;
  kernels::ReduceArgs args;  // built in place: no copy of its reduction
  kernels::Reduction& red = args.reduction;
  std::int64_t stride = 1;
  std::vector<std::int64_t> strides(static_cast<std::size_t>(rank));
  for (int d = rank - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= x.shape.dim(d);
  }
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      red.reduced_dims[red.reduced_rank] = x.shape.dim(d);
      red.reduced_strides[red.reduced_rank++] = strides[i];
      red.reduced_count *= x.shape.dim(d);
    } else {
      red.kept_dims[red.kept_rank] = x.shape.dim(d);
      red.kept_strides[red.kept_rank++] = strides[i];
    }
  }
  Shape out_shape = reduced_shape(x.shape, reduced, keepdims);
  const std::int64_t count = out_shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(count, x.dtype)), x.dtype, std::move(out_shape), -1};
  args.op = step.reduce;
  args.dtype = x.dtype;
  args.x = x.data.get();
  args.out = out.data.get();
  args.out_count = count;
  backend->reduce(args);
}

}  // namespace varscope::detail
