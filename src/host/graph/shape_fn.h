// Shape functions: the op table's column that says, from an op's inputs (dtype, shape and,
// where known, value) and attributes, what its outputs are — or why the op is invalid.
// Graph building calls it before a node is added (TF's shape inference); the executor calls
// the same function with the run's real shapes and the values its kernel reads on the
// host. TF words the two failures differently, so a function gives both texts and the
// context adds TF's framing: at graph building, vs::ValueError "<text> for '<node>' (op:
// '<type>') with input shapes: [2,3], [1] and with computed input tensors: input[1] = <4>.";
// at run time, vs::InvalidArgumentError "<text>\n\t [[{{node <node>}}]]".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/graph/graph_impl.h"

namespace varscope::detail {

struct OpDef;

// One input as a shape function sees it. `value` is known for a Const input at graph
// building, and at run time for the inputs the kernel reads on the host (shapes, axes).
struct ShapeInput {
  DType dtype = DType::kFloat32;
  const Shape* shape = nullptr;
  const HostTensor* value = nullptr;
  // A ShapeN output's value as a partial shape (its input's shape: TF's ConstantPartialShape),
  // where `value` is not known (builders.cpp's add_op says which producers give it).
  const Shape* shape_value = nullptr;
};

class ShapeContext {
 public:
  ShapeContext(const OpDef& def,
               std::string_view node_name,
               std::span<const ShapeInput> inputs,
               const Attrs& attrs,
               bool at_run_time);
  // At graph building: the node's name is worked out (from the name or scope add_op is
  // given) only for an error, not on every op's way through.
  ShapeContext(const OpDef& def,
               GraphImpl& graph,
               std::string_view name_or_scope,
               std::span<const ShapeInput> inputs,
               const Attrs& attrs);

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  DType dtype(int i) const { return input(i).dtype; }
  const Shape& shape(int i) const { return *input(i).shape; }
  // The value of input i, or nullptr when it is not known yet. Asking names the value in
  // TF's error context ("with computed input tensors: input[1] = <0 1>").
  const HostTensor* value(int i) const;
  // Input i's value as integers (an int32 or int64 tensor's elements); nullopt when not known.
  std::optional<std::vector<std::int64_t>> int_values(int i) const;
  // Input i's value read as a shape (Reshape's `shape`, Fill's `dims`), as TF's
  // MakeShapeFromShapeTensor: a known value gives its dims (-1: unknown); an unknown value
  // of shape [n] gives rank n of unknown dims; otherwise an unknown rank. TF's context for
  // it is "with input tensors computed as partial shapes: input[1] = [2,?]".
  Shape value_as_shape(int i) const;

  const AttrValue* find_attr(std::string_view name) const;
  template <typename T>
  const T& attr(std::string_view name) const {
    const AttrValue* v = find_attr(name);
    const T* value = v == nullptr ? nullptr : std::get_if<T>(v);
    if (value == nullptr) [[unlikely]]
      missing_attr(name);
    return *value;
  }

  bool at_run_time() const { return at_run_time_; }
  std::string node_name() const;
  std::string_view type() const;  // TF's type name of the op

  // Fails the op: graph building words it as TF's shape inference does, the run as TF's
  // kernel does (the two texts differ in TF for most ops).
  [[noreturn]] void fail(std::string_view graph_text, std::string_view run_text) const;
  [[noreturn]] void fail(std::string_view text) const { fail(text, text); }

 private:
  const ShapeInput& input(int i) const;
  [[noreturn]] void missing_attr(std::string_view name) const;

  const OpDef& def_;
  std::string_view node_name_;
  GraphImpl* graph_ = nullptr;  // set: node_name_ is the name or scope given to add_op
  std::span<const ShapeInput> inputs_;
  const Attrs& attrs_;
  bool at_run_time_;
  // What the function asked for, for TF's error context: one bit per input (the inputs
  // whose values are read are among the first few); no allocation on the way through.
  static std::uint64_t bit(int i) { return i < 64 ? std::uint64_t{1} << i : 0; }
  mutable std::uint64_t asked_value_ = 0, asked_shape_ = 0;
};

// An op's outputs (dtype, shape), in order.
using ShapeFn = std::vector<OutputSpec> (*)(const ShapeContext& c);

// The node's outputs at run time: its shape function given the run's inputs (the values the
// kernel reads on the host among them); a failure is TF's run-time InvalidArgumentError.
std::vector<OutputSpec> run_time_outputs(const Node& node, std::span<const ShapeInput> inputs);

// TF's Tensor::SummarizeValue(256) of a host tensor: elements separated by spaces, "..."
// past 256.
std::string summarize_value(const HostTensor& t, int max_values = 256);

// Common shape functions.
namespace shape_fn {
// Output 0 is input 0 (dtype and shape): elementwise unary ops, Identity, gradients of
// activations.
std::vector<OutputSpec> same_as_input(const ShapeContext& c);
// Output 0: input 0's dtype, input 1's shape (the gradient helpers that sum or spread a
// gradient to the shape of a `like` input).
std::vector<OutputSpec> shape_of_input1(const ShapeContext& c);
// NumPy broadcasting of inputs 0 and 1 (Add, Sub, Mul, RealDiv): TF's BroadcastBinaryOpShapeFn
// at graph building, BCast's "Incompatible shapes" at run time.
std::vector<OutputSpec> broadcast_binary(const ShapeContext& c);
// Output 0 is input 0 merged with input 1 (ReluGrad, SigmoidGrad, TanhGrad): TF's
// MergeBothInputsShapeFn; at run time `<Type> requires inputs of one shape`.
std::vector<OutputSpec> merge_both_inputs(const ShapeContext& c);
// No outputs (NoOp).
std::vector<OutputSpec> none(const ShapeContext& c);
// Output 0 of attribute `dtype`'s type and shape input 0's value (the random ops, Fill takes
// its dtype from the value instead).
std::vector<OutputSpec> random(const ShapeContext& c);
}  // namespace shape_fn

// TF's InferenceContext::Merge: the more defined of two compatible shapes; fails the op with
// TF's text when their ranks or known dims differ (then, `from_merging` >= 0, TF's AddN
// context "From merging shape <i> with other shapes."); at run time with `run_text`'s. The
// texts are made only for a failure.
using RunText = std::string (*)(const ShapeContext& c);
Shape merge(
    const ShapeContext& c, const Shape& a, const Shape& b, RunText run_text, int from_merging = -1);

}  // namespace varscope::detail
