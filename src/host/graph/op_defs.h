// The op table: every fact about an op type in one row (op_rows/*_ops.cpp) — its TF type
// name, inputs and outputs, attributes and their types, the dtypes TF allows for its type
// attribute, its shape function (shape_fn.h: graph building and the run both call it), the
// kernel it runs and the dtypes that kernel computes, its gradient and whether a CUDA Graph
// may record it. Builders create nodes through it, the planner takes each node's kernel
// from it, tf.gradients its gradient, and attributes are read only through attr<T>().
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/op_kernel.h"
#include "host/graph/op_type.h"
#include "host/graph/shape_fn.h"

namespace varscope::detail {

// The attribute names the library writes and reads (TF's spellings); char arrays, so
// that they make an Attrs entry's std::string.
namespace attr_name {
inline constexpr char kT[] = "T";
inline constexpr char kDType[] = "dtype";
inline constexpr char kShape[] = "shape";
inline constexpr char kValue[] = "value";
inline constexpr char kSeed[] = "seed";
inline constexpr char kSeed2[] = "seed2";
inline constexpr char kTout[] = "Tout";
inline constexpr char kTransposeA[] = "transpose_a";
inline constexpr char kTransposeB[] = "transpose_b";
inline constexpr char kAdjX[] = "adj_x";
inline constexpr char kAdjY[] = "adj_y";
inline constexpr char kKeepDims[] = "keep_dims";
inline constexpr char kUseLocking[] = "use_locking";
inline constexpr char kValidateShape[] = "validate_shape";
inline constexpr char kSrcT[] = "SrcT";
inline constexpr char kDstT[] = "DstT";
inline constexpr char kN[] = "N";
inline constexpr char kTlabels[] = "Tlabels";
inline constexpr char kUseNesterov[] = "use_nesterov";
inline constexpr char kMean[] = "mean";  // BroadcastToShape: divide by the reduced count
// LeakyRelu, LeakyReluGrad:
inline constexpr char kAlpha[] = "alpha";
inline constexpr char kTshape[] = "Tshape";
inline constexpr char kTdim[] = "Tdim";
inline constexpr char kTperm[] = "Tperm";
inline constexpr char kOutType[] = "out_type";
inline constexpr char kSqueezeDims[] = "squeeze_dims";  // an int64 vector (TF: list(int))
inline constexpr char kAxis[] = "axis";
inline constexpr char kNum[] = "num";
inline constexpr char kNumSplit[] = "num_split";
inline constexpr char kNumPartitions[] = "num_partitions";
inline constexpr char kTidx[] = "Tidx";
inline constexpr char kTlen[] = "Tlen";
inline constexpr char kIndex[] = "Index";
inline constexpr char kTpaddings[] = "Tpaddings";
inline constexpr char kTmultiples[] = "Tmultiples";
inline constexpr char kTI[] = "TI";
inline constexpr char kBatchDims[] = "batch_dims";
inline constexpr char kTparams[] = "Tparams";
inline constexpr char kTindices[] = "Tindices";
inline constexpr char kOutIdx[] = "out_idx";
inline constexpr char kTaxis[] = "Taxis";
// Conv2D, the pools and their gradients (list(int) attributes are int64 vectors):
inline constexpr char kStrides[] = "strides";
inline constexpr char kKsize[] = "ksize";
inline constexpr char kDilations[] = "dilations";
inline constexpr char kPadding[] = "padding";
inline constexpr char kDataFormat[] = "data_format";
inline constexpr char kUseCudnnOnGpu[] = "use_cudnn_on_gpu";
inline constexpr char kExplicitPaddings[] = "explicit_paddings";
// FusedBatchNormV3 and its gradient:
inline constexpr char kU[] = "U";
inline constexpr char kEpsilon[] = "epsilon";
inline constexpr char kIsTraining[] = "is_training";
inline constexpr char kBeginMask[] = "begin_mask";
inline constexpr char kEndMask[] = "end_mask";
inline constexpr char kEllipsisMask[] = "ellipsis_mask";
inline constexpr char kNewAxisMask[] = "new_axis_mask";
inline constexpr char kShrinkAxisMask[] = "shrink_axis_mask";
inline constexpr char kTnumsegments[] = "Tnumsegments";
inline constexpr char kOutputType[] = "output_type";
inline constexpr char kExclusive[] = "exclusive";
inline constexpr char kReverse[] = "reverse";
inline constexpr char kMessage[] = "message";  // PreventGradient
}  // namespace attr_name

// The alternatives of AttrValue, in its order.
enum class AttrType : std::uint8_t {
  kInt,
  kFloat,
  kBool,
  kString,
  kDType,
  kShape,
  kTensor,
  kStrings,
  kInts,
};

struct AttrDef {
  std::string_view name;
  AttrType type = AttrType::kInt;
};

// What a gradient function is given: the node, and the summed gradient of each of its
// outputs (node -1 where none flows back).
// TF's IndexedSlices gradient: its values tensor (the key of the map below) with `indices`
// and `dense_shape` (an int32 vector); `shape` is the dense gradient's static shape.
struct IndexedSlicesRef {
  TensorRef indices, dense_shape;
  Shape shape;
};
using IndexedSlicesMap = std::unordered_map<int, IndexedSlicesRef>;  // values' node -> rest
struct GradInputs {
  GraphImpl& g;
  int node;
  std::vector<TensorRef> dys;
  // Where a gradient function records the input gradients it gives as IndexedSlices.
  IndexedSlicesMap* indexed_slices = nullptr;
};
// Builds, in the current name scope ("gradients/<op>_grad"), one TensorRef per input of
// the node; node -1 where no gradient flows into it (TF's None).
using GradFn = std::vector<TensorRef> (*)(const GradInputs& in);

struct OpDef {
  OpType op;
  std::string_view name{};         // TF's type name: node names, DOT, messages
  std::string_view inputs{};       // TF's input names, "x, y" (a list input: its one name)
  std::string_view outputs{};      // TF's output names
  std::array<AttrDef, 7> attrs{};  // StridedSlice has 7
  int num_attrs = 0;
  DTypeSet types{};  // the dtypes TF allows for the type attribute (T, dtype); empty: any
  // The outputs from the inputs and attributes (every row has one: add_op and the run's
  // checks call it).
  ShapeFn shape = nullptr;
  OpKernel kernel{};
  // The gradient (TF's @ops.RegisterGradient); nullptr: none is defined (TF's LookupError);
  // grad::not_differentiable: TF's ops.NotDifferentiable (no gradient flows).
  GradFn grad = nullptr;
  Capture capture = Capture::kNo;
};

const OpDef& op_def(OpType op);
// How many leading inputs of an op are TF ref inputs (a variable's storage, not a value):
// Assign's ref, ApplyAdam's var, m and v, ...
int ref_inputs(OpType op);
// The name of input `index` of the op ("x" of "x, y"); a list input's one name for every
// index past the listed ones.
std::string_view input_name(const OpDef& def, int index);
// TF's type check (op_def_library) of the op's type attribute, given through `parameter`
// (an input's name, or the attribute's own: "dtype"): vs::TypeError "Value passed to
// parameter 'x' has DataType int32 not in list of allowed values: <TF's list>".
void check_dtype(const OpDef& def, std::string_view parameter, DType dtype);
// The same for the value passed to input `index`.
void check_input_dtype(const OpDef& def, int index, DType dtype);
// Throws vs::InternalError when `attrs` holds an attribute the op does not define or one of
// another type (names starting with '_' are TF's free-form internal attributes).
void check_attrs(const OpDef& def, std::string_view node_name, const Attrs& attrs);

[[noreturn]] void throw_attr_error(const Node& node, std::string_view name, bool missing);

// A node's attribute of type T; vs::InternalError naming the node and the attribute when it
// is missing or of another type (a library bug, never a user's).
template <typename T>
const T& attr(const Node& node, std::string_view name) {
  const AttrValue* v = node.find_attr(name);
  if (v == nullptr) [[unlikely]]
    throw_attr_error(node, name, /*missing=*/true);
  const T* value = std::get_if<T>(v);
  if (value == nullptr) [[unlikely]]
    throw_attr_error(node, name, /*missing=*/false);
  return *value;
}

}  // namespace varscope::detail
