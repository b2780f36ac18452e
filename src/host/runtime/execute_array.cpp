// The steps that make values on the device from nothing but a shape: Fill, OnesLike and
// ZerosLike, and the random ops' Philox streams (alone or as a fused initializer chain).
#include <random>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/scalar_bytes.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::int64_t host_integer(const HostTensor& t) {
  return static_cast<std::int64_t>(t.element_as_double(0));
}

// The shape a run-time shape tensor holds (a random op's input).
Shape shape_of_value(const HostTensor& t, const std::string& node) {
  std::vector<std::int64_t> dims;
  for (std::int64_t i = 0; i < t.num_elements(); ++i) {
    const auto d = static_cast<std::int64_t>(t.element_as_double(i));
    if (d < 0) {
      throw InvalidArgumentError("Dimension " + std::to_string(d) + " must be >= 0\n\t [[{{node " +
                                 node + "}}]]");
    }
    dims.push_back(d);
  }
  return Shape(std::move(dims));
}

}  // namespace

void SessionImpl::execute_array(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  switch (step.kind) {
    case OpKind::kFill: {
      const HostTensor value = host_input(step, 1, slots, ctx);
      OutputSpec spec = n.outputs[0];
      if (!spec.shape.is_fully_defined()) {  // dims computed in the graph: read when run
        const HostTensor dims = to_host(read(step, 0, slots, ctx), ctx);
        std::vector<std::int64_t> d;
        for (std::int64_t i = 0; i < dims.num_elements(); ++i) {
          d.push_back(static_cast<std::int64_t>(dims.element_as_double(i)));
          if (d.back() < 0) {  // TF's TensorShapeUtils::MakeShape
            throw InvalidArgumentError("Dimension " + std::to_string(d.back()) +
                                       " must be >= 0\n\t [[{{node " + n.name + "}}]]");
          }
        }
        spec.shape = Shape(std::move(d));
      }
      out = step.into_variable >= 0
                ? Value{storage(step.into_variable, &ctx).data, spec.dtype, spec.shape, -1}
                : Value{ctx.temporary(value.nbytes() *
                                      static_cast<std::size_t>(spec.shape.num_elements())),
                        spec.dtype, spec.shape, -1};
      if (spec.shape.num_elements() == 0) return;
      ctx.backend().fill({.dst = out.data.get(),
                          .pattern = value.raw_data(),
                          .element_size = value.nbytes(),
                          .count = spec.shape.num_elements()});
      return;
    }
    case OpKind::kFillLike: {
      const Value& x = read(step, 0, slots, ctx);
      out = Value{ctx.temporary(byte_size(x.shape.num_elements(), x.dtype)), x.dtype, x.shape, -1};
      const ScalarBytes s = scalar_bytes(x.dtype, n.op == OpType::kOnesLike ? 1.0 : 0.0);
      ctx.backend().fill({.dst = out.data.get(),
                          .pattern = s.bytes,
                          .element_size = s.size,
                          .count = x.shape.num_elements()});
      return;
    }
    default:
      return random(step, slots, ctx);
  }
}

void SessionImpl::random(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const int random_node = step.random_node >= 0 ? step.random_node : step.node;
  const Node& n = graph->node(random_node);
  const OutputSpec& spec = n.outputs[0];
  // A shape the graph could not know (dropout of a fed batch) is the shape input's value; such
  // an op is never fused (builders.cpp records only fully defined chains).
  const Shape shape = spec.shape.is_fully_defined()
                          ? spec.shape
                          : shape_of_value(host_input(step, 0, slots, ctx), n.name);
  const std::int64_t count = shape.num_elements();

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
            ? Value{storage(step.into_variable, &ctx).data, spec.dtype, shape, -1}
            : Value{ctx.temporary(byte_size(count, spec.dtype)), spec.dtype, shape, -1};

  // Philox stream: (seed, seed2) from the graph's seed rules; (0, 0) = nondeterministic,
  // drawn once per op and session. Re-running the op continues its stream (TF's behaviour).
  // The maps' entries stay put as others are added; each is this step's alone.
  std::unique_lock<std::mutex> lock(run_state_mu_);  // devices may run in parallel
  std::uint64_t& seed = rng_seeds_[random_node];
  std::uint64_t& offset = rng_offsets_[random_node];
  lock.unlock();
  if (seed == 0) {
    const auto s1 = static_cast<std::uint64_t>(attr<std::int64_t>(n, attr_name::kSeed));
    const auto s2 = static_cast<std::uint64_t>(attr<std::int64_t>(n, attr_name::kSeed2));
    seed = (s1 == 0 && s2 == 0)
               ? (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) | 1
               : (s1 << 32) | s2;
  }
  rs.seed = seed;
  rs.offset = offset;
  if (count > 0) {
    ctx.backend().random({.spec = rs, .dtype = spec.dtype, .out = out.data.get(), .count = count});
  }
  offset += kernels::random_stream_words(count, dtype_size(spec.dtype));
}

}  // namespace varscope::detail
