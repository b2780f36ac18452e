// TF 1.15's RNNCell base: the scoping of a call (base.Layer.__call__ for LayerRNNCells,
// RNNCell.__call__ for MultiRNNCell and the wrappers), and zero_state.
#include <utility>

#include "host/graph/graph_impl.h"
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope::nn::rnn_cell {

RNNCell::RNNCell(std::string type_name, std::string base_name, Scoping scoping)
    : type_name_(std::move(type_name)), base_name_(std::move(base_name)), scoping_(scoping) {}

RNNCell::~RNNCell() = default;

void RNNCell::build(Graph&, const Shape&, DType) {}

CellSnapshot::CellSnapshot(RNNCell& cell) {
  std::vector<RNNCell*> cells;
  cell.collect(cells);
  for (RNNCell* c : cells)
    saved_.push_back({c, c->built_, c->scope_, c->variables_, c->weights_});
}

void CellSnapshot::restore() {
  for (Saved& s : saved_) {
    s.cell->built_ = s.built;
    s.cell->scope_ = s.scope;
    s.cell->variables_ = s.variables;
    s.cell->weights_ = s.weights;
  }
}

RNNCell::Output RNNCell::operator()(const Tensor& inputs, const State& state) {
  Graph g = inputs.graph();
  CellSnapshot snapshot(*this);
  try {
    return varscope::detail::Access::impl(g)->mutate(
        [&] { return call_in_scope(g, inputs, state); });
  } catch (...) {
    snapshot.restore();
    throw;
  }
}

RNNCell::Output RNNCell::call_in_scope(Graph& g, const Tensor& inputs, const State& state) {
  const std::vector<std::int64_t> sizes = state_size();
  if (state.size() != sizes.size()) {
    throw ValueError(type_name_ + ": expected a state of " + std::to_string(sizes.size()) +
                     " tensors, got " + std::to_string(state.size()));
  }
  if (scoping_ == Scoping::kWrapper) {
    built_ = true;
    return call(inputs, state);
  }
  // RNNCell.__call__ re-enters the caller's variable scope (a name scope of its last
  // component: "rnn/rnn/") before base.Layer.__call__.
  std::optional<VariableScopeGuard> caller;
  if (scoping_ == Scoping::kCell) caller.emplace(g.variable_scope(g.get_variable_scope()));
  // base.Layer._set_scope: variable_scope(None, default_name=<base name>), once.
  if (!scope_.valid()) {
    const VariableScopeGuard captured =
        g.variable_scope(std::nullopt, {.default_name = base_name_});
    scope_ = captured;
  }
  const VariableScopeGuard in_scope = g.variable_scope(
      scope_, {.reuse = built_ ? Reuse::kTrue : Reuse::kInherit, .auxiliary_name_scope = false});
  const NameScope ops_scope = g.name_scope(scope_.original_name_scope());
  if (scoping_ == Scoping::kLayer) detail::expect_cell_inputs(inputs, scope_);
  if (!built_) {
    const Shape& shape = inputs.shape();
    if (scoping_ == Scoping::kLayer && (!shape.has_rank() || shape.dim(shape.rank() - 1) < 0)) {
      throw ValueError("Expected inputs.shape[-1] to be known, saw shape: " +
                       detail::python_shape(shape));
    }
    build(g, shape, inputs.dtype());
    built_ = true;
  }
  return call(inputs, state);
}

void RNNCell::add_variable(Graph& g,
                           const std::string& name,
                           const Shape& shape,
                           DType dtype,
                           std::optional<Initializer> initializer) {
  const GetVariableOptions options{
      .shape = shape, .dtype = dtype, .initializer = std::move(initializer)};
  Weight w;
  if (g.get_variable_scope().partitioner() && shape.rank() > 0) {
    w.partitioned = g.get_partitioned_variable(name, options);
    for (const Variable& part : w.partitioned.variables())
      variables_.push_back(part);
  } else {
    w.variable = g.get_variable(name, options);
    variables_.push_back(w.variable);
  }
  weights_.push_back(std::move(w));
}

Tensor RNNCell::weight(std::size_t i) const {
  const Weight& w = weights_.at(i);
  return w.partitioned.valid() ? w.partitioned.as_tensor() : w.variable.value();
}

namespace {

Tensor int32_vector(Graph& g, std::int64_t value, const char* name = "Const") {
  return constant(g,
                  HostTensor(std::vector<std::int32_t>{static_cast<std::int32_t>(value)}, Shape{1}),
                  {.name = name});
}

// _concat(prefix, suffix): the batch size as a vector (a Const, or ExpandDims of a tensor).
Tensor batch_vector(Graph& g, const std::optional<Tensor>& batch, std::int64_t batch_size) {
  return batch ? expand_dims(*batch, 0) : int32_vector(g, batch_size);
}

// The zeros of one state tensor [batch, size]: a batch size known here (batch_size) or read
// at run time (batch).
Tensor zeros(Graph& g,
             const std::optional<Tensor>& batch,
             std::int64_t batch_size,
             std::int64_t size,
             DType dtype) {
  // _zero_state_tensors: zeros(_concat(batch, size)), then the static _concat's nodes.
  const Tensor p = batch_vector(g, batch, batch_size);
  const Tensor s = int32_vector(g, size);
  const Tensor dims = concat({p, s}, 0);
  Tensor out;
  {
    const NameScope ns = g.name_scope("zeros");
    const Tensor zero = constant(g, HostTensor(0.0).cast(dtype), {.name = "Const"});
    out = detail::fill_named(dims, zero, ns.name());
  }
  batch_vector(g, batch, batch_size);
  int32_vector(g, size);
  const auto impl = varscope::detail::Access::impl(g);
  impl->set_output_shape(impl->ref_of(out), Shape{batch ? kUnknownDim : batch_size, size});
  return out;
}

}  // namespace

State RNNCell::zero_state(Graph& g, std::int64_t batch_size, DType dtype) {
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name_ + "ZeroState");
    State out;
    for (std::int64_t size : state_size())
      out.push_back(zeros(g, std::nullopt, batch_size, size, dtype));
    return out;
  });
}

State RNNCell::zero_state(const Tensor& batch_size, DType dtype) {
  Graph g = batch_size.graph();
  return varscope::detail::Access::impl(g)->mutate([&] {
    const NameScope ns = g.name_scope(type_name_ + "ZeroState");
    State out;
    for (std::int64_t size : state_size())
      out.push_back(zeros(g, batch_size, 0, size, dtype));
    return out;
  });
}

}  // namespace varscope::nn::rnn_cell
