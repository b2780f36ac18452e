// Variables, constants, placeholders and NoOp.
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

std::vector<OutputSpec> const_shape(const ShapeContext& c) {
  return {{c.attr<DType>(a::kDType), c.attr<HostTensor>(a::kValue).shape()}};
}

// Placeholder, VariableV2: their attributes.
std::vector<OutputSpec> declared_shape(const ShapeContext& c) {
  return {{c.attr<DType>(a::kDType), c.attr<Shape>(a::kShape)}};
}

// TF's Assign (validate_shape), AssignAdd and AssignSub: the value merges with the variable. A
// value the graph could not check is refused by the kernel (execute_state.cpp), in TF's words.
std::vector<OutputSpec> assign_shape(const ShapeContext& c) {
  const AttrValue* validate = c.find_attr(a::kValidateShape);
  if (validate != nullptr && !std::get<bool>(*validate)) return {{c.dtype(0), c.shape(1)}};
  return {{c.dtype(0), merge(c, c.shape(0), c.shape(1), [](const ShapeContext&) {
             return std::string();  // never at run time: the kernel checks
           })}};
}

std::vector<OutputSpec> is_initialized_shape(const ShapeContext&) {
  return {{DType::kBool, Shape()}};
}

// clang-format off
constexpr OpDef kRows[] = {
    // uploaded once, by the plain first run, then cached
    {.op = OpType::kConst, .name = "Const", .outputs = "output",
     .attrs = {{{a::kValue, T::kTensor}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .shape = const_shape, .kernel = kernel_of(K::kConst), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kPlaceholder, .name = "Placeholder", .outputs = "output",
     .attrs = {{{a::kDType, T::kDType}, {a::kShape, T::kShape}}}, .num_attrs = 2,
     .shape = declared_shape, .kernel = kernel_of(K::kPlaceholder),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    // one fixed allocation per variable
    {.op = OpType::kVariableV2, .name = "VariableV2", .outputs = "ref",
     .attrs = {{{a::kShape, T::kShape}, {a::kDType, T::kDType}}}, .num_attrs = 2,
     .shape = declared_shape, .kernel = kernel_of(K::kVariable), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kIdentity, .name = "Identity", .inputs = "input", .outputs = "output",
     .attrs = {{kTypeT}}, .num_attrs = 1, .shape = shape_fn::same_as_input,
     .kernel = kernel_of(K::kIdentity), .grad = grad::identity, .capture = Capture::kYes},
    {.op = OpType::kAssign, .name = "Assign", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kValidateShape, T::kBool}, {a::kUseLocking, T::kBool}}}, .num_attrs = 3,
     .shape = assign_shape, .kernel = kernel_of(K::kAssign), .grad = grad::not_differentiable,
     .capture = Capture::kYes},
    {.op = OpType::kAssignAdd, .name = "AssignAdd", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = assign_shape, .kernel = kernel_of(K::kAssignAdd, kComputesNumeric),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kAssignSub, .name = "AssignSub", .inputs = "ref, value", .outputs = "output_ref",
     .attrs = {{kTypeT, {a::kUseLocking, T::kBool}}}, .num_attrs = 2, .types = kNumberTypes,
     .shape = assign_shape, .kernel = kernel_of(K::kAssignSub, kComputesNumeric),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    {.op = OpType::kNoOp, .name = "NoOp", .shape = shape_fn::none, .kernel = kernel_of(K::kNoOp),
     .grad = grad::not_differentiable, .capture = Capture::kYes},
    // answers from host state at run time
    {.op = OpType::kIsVariableInitialized, .name = "IsVariableInitialized", .inputs = "ref",
     .outputs = "is_initialized", .attrs = {{{a::kDType, T::kDType}}}, .num_attrs = 1,
     .shape = is_initialized_shape, .kernel = kernel_of(K::kIsVariableInitialized),
     .grad = grad::not_differentiable, .capture = Capture::kNo},
};
// clang-format on

}  // namespace

std::span<const OpDef> state_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
