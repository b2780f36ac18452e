// The op recipes shared by the public op functions, the initializers and the variables.
// Each validates its inputs before it touches the graph, so a bad call changes nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope::detail {

// The dtype and shape of tensor `r`.
inline const OutputSpec& spec(const GraphImpl& g, TensorRef r) {
  return g.node(r.node).outputs.at(static_cast<std::size_t>(r.index));
}

// Generated op wrappers: `with ops.name_scope(name or "<Default>") as scope`, then the op
// takes the scope's own name.
inline std::string wrapper_scope(GraphImpl& g,
                                 std::string_view name,
                                 std::string_view default_name) {
  return scope_string(g.resolve_name_scope(name.empty() ? default_name : name));
}

// The graph of an op's tensor input; vs::ValueError for a literal (`op` names the op).
inline std::shared_ptr<GraphImpl> graph_of_input(const Input& x, std::string_view op) {
  if (x.is_literal()) throw ValueError(std::string(op) + " needs a Tensor input to know its graph");
  return Access::lock(x.tensor());
}

// Adds a node of `op` named `name_or_scope` ("x/" = verbatim) whose outputs its row's shape
// function gives from the inputs' dtypes and shapes and the values of Const inputs (TF's
// shape inference); a failure is TF's ValueError naming the node as it would be named.
// Returns the node.
int add_op(GraphImpl& g,
           OpType op,
           std::string_view name_or_scope,
           std::vector<TensorRef> inputs,
           Attrs attrs,
           std::vector<int> control_inputs = {});

// control_flow_ops.group (group.cpp): a NoOp named by `scope` ("x/" names it "x") after `deps`,
// on their common device; deps on several devices get one "x/NoOp" per device first.
int build_group(GraphImpl& g, const std::string& scope, std::vector<int> deps);

// A one-input elementwise op (Tanh, Exp, Relu, OnesLike, ...) of the input's dtype and shape,
// named `name` (default: its TF type) in the current scope; TF's type check from the op table.
Tensor build_unary(OpType op, const Input& x, std::string_view name);

// tf.constant: TF's size rules (a scalar broadcasts, a short list repeats its last value,
// too many values is an error), named `name` (default "Const") in the current scope.
TensorRef build_constant(GraphImpl& g,
                         const HostTensor& value,
                         std::optional<DType> dtype,
                         const std::optional<Shape>& shape,
                         bool verify_shape,
                         std::string_view name);

// An elementwise binary op named `name_or_scope` ("x/" = verbatim). Broadcasts shapes.
TensorRef build_binary(
    GraphImpl& g, OpType op, std::string_view name_or_scope, TensorRef x, TensorRef y);

// Python's operator wrappers and generated op wrappers: enter the name scope `scope_name`,
// convert literals to Consts named after the argument ("x", "y"), create the op with the
// scope's own name.
Tensor build_binary_op(OpType op, std::string_view scope_name, const Input& x, const Input& y);

// random_ops.random_normal / truncated_normal / random_uniform under scope `name`.
TensorRef build_random_normal(GraphImpl& g,
                              const Shape& shape,
                              double mean,
                              double stddev,
                              DType dtype,
                              std::optional<std::int64_t> seed,
                              bool truncated,
                              std::string_view name);
TensorRef build_random_uniform(GraphImpl& g,
                               const Shape& shape,
                               double minval,
                               std::optional<double> maxval,
                               DType dtype,
                               std::optional<std::int64_t> seed,
                               std::string_view name);

// random_uniform of a shape tensor already in the graph (dropout's "Shape"), in [0, 1):
// no "shape" Const, as TF for a Tensor shape. The shape may be known only at run time.
TensorRef build_random_uniform(GraphImpl& g,
                               TensorRef shape,
                               DType dtype,
                               std::optional<std::int64_t> seed,
                               std::string_view name);

// array_ops.zeros / ones: a Const below 1000 elements, a Fill above.
TensorRef build_fill(
    GraphImpl& g, const Shape& shape, DType dtype, double value, std::string_view name);

}  // namespace varscope::detail

namespace varscope::detail {

// Calls an initializer for a fully defined shape and dtype, building TF's ops in the
// current name scope (get_variable has entered "<v>/Initializer/").
// `full_shape`: a part's partitioned variable's (TF's partition_info), whose fans a variance
// scaling initializer uses.
TensorRef build_initializer(GraphImpl& g,
                            const Initializer& init,
                            const Shape& shape,
                            DType dtype,
                            const Shape* full_shape = nullptr);

}  // namespace varscope::detail
