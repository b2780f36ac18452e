// NodeDef attributes -> Attrs: what TF's importer checks against the OpDef, with TF's texts.
#include "host/io/node_def_attrs.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "host/io/tensor_proto.h"
#include "host/io/tf/bundle.h"
#include "varscope/errors.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;
using detail::AttrType;
using detail::AttrValue;

std::string node_context(const std::string& name) {
  return "; NodeDef: {{node " + name + "}}";
}

// TF's name of an AttrValue's kind, as its "AttrValue had value with type" error spells it.
std::string_view kind_name(const tfp::AttrValue& v) {
  switch (v.value_case()) {
    case tfp::AttrValue::kS:
      return "string";
    case tfp::AttrValue::kI:
      return "int";
    case tfp::AttrValue::kF:
      return "float";
    case tfp::AttrValue::kB:
      return "bool";
    case tfp::AttrValue::kType:
      return "type";
    case tfp::AttrValue::kShape:
      return "shape";
    case tfp::AttrValue::kTensor:
      return "tensor";
    case tfp::AttrValue::kList:
      return "list";
    case tfp::AttrValue::kFunc:
      return "func";
    case tfp::AttrValue::kPlaceholder:
      return "placeholder";
    case tfp::AttrValue::VALUE_NOT_SET:
      break;
  }
  return "<Unknown>";
}

std::string_view type_name(AttrType t) {
  switch (t) {
    case AttrType::kInt:
      return "int";
    case AttrType::kFloat:
      return "float";
    case AttrType::kBool:
      return "bool";
    case AttrType::kString:
      return "string";
    case AttrType::kDType:
      return "type";
    case AttrType::kShape:
      return "shape";
    case AttrType::kTensor:
      return "tensor";
    case AttrType::kStrings:
      return "list(string)";
    case AttrType::kInts:
      return "list(int)";
  }
  return "?";
}

[[noreturn]] void wrong_kind(const tfp::AttrValue& v,
                             AttrType expected,
                             std::string_view attr,
                             const std::string& name) {
  throw ValueError("AttrValue had value with type '" + std::string(kind_name(v)) + "' when '" +
                   std::string(type_name(expected)) + "' expected for attr '" + std::string(attr) +
                   "'" + node_context(name));
}

DType dtype_of(const tfp::AttrValue& v, std::string_view attr, const std::string& name) {
  const std::optional<DType> d = tf::from_tf_dtype(v.type());
  if (!d) {
    throw UnimplementedError("Node '" + name + "': attr '" + std::string(attr) + "' is " +
                             tf::tf_dtype_name(v.type()) + ", a dtype varscope does not have");
  }
  return *d;
}

AttrValue convert(const tfp::AttrValue& v,
                  AttrType type,
                  std::string_view attr,
                  const std::string& name) {
  using C = tfp::AttrValue;
  switch (type) {
    case AttrType::kInt:
      if (v.value_case() == C::kI) return v.i();
      break;
    case AttrType::kFloat:
      if (v.value_case() == C::kF) return static_cast<double>(v.f());
      break;
    case AttrType::kBool:
      if (v.value_case() == C::kB) return v.b();
      break;
    case AttrType::kString:
      if (v.value_case() == C::kS) return v.s();
      break;
    case AttrType::kDType:
      if (v.value_case() == C::kType) return dtype_of(v, attr, name);
      break;
    case AttrType::kShape:
      if (v.value_case() == C::kShape) return shape_from_proto(v.shape(), name);
      break;
    case AttrType::kTensor:
      if (v.value_case() == C::kTensor) return tensor_from_proto(v.tensor(), name);
      // varscope keeps TF's list(int) attributes (squeeze_dims) as an int64 vector.
      if (v.value_case() == C::kList || v.value_case() == C::VALUE_NOT_SET) {
        const auto& ints = v.list().i();
        std::vector<std::int64_t> values(ints.begin(), ints.end());
        const auto n = static_cast<std::int64_t>(values.size());
        return HostTensor(values, Shape{n});
      }
      break;
    case AttrType::kStrings:
      if (v.value_case() == C::kList || v.value_case() == C::VALUE_NOT_SET)
        return std::vector<std::string>(v.list().s().begin(), v.list().s().end());
      break;
    case AttrType::kInts:  // strides, ksize, dilations, explicit_paddings
      if (v.value_case() == C::kList || v.value_case() == C::VALUE_NOT_SET)
        return std::vector<std::int64_t>(v.list().i().begin(), v.list().i().end());
      break;
  }
  wrong_kind(v, type, attr, name);
}

// TF's defaults (op_def.default_value) for the row attributes a NodeDef may leave out.
std::optional<AttrValue> tf_default(detail::OpType op, std::string_view attr) {
  namespace a = detail::attr_name;
  using std::string_view;
  for (string_view flag : {string_view(a::kTransposeA), string_view(a::kTransposeB),
                           string_view(a::kAdjX), string_view(a::kAdjY), string_view(a::kKeepDims),
                           string_view(a::kUseLocking), string_view(a::kUseNesterov)}) {
    if (attr == flag) return AttrValue(false);
  }
  if (attr == a::kValidateShape) return AttrValue(true);
  if (attr == a::kSeed || attr == a::kSeed2 || attr == a::kBatchDims)
    return AttrValue(std::int64_t{0});
  if (attr == a::kAlpha) return AttrValue(0.2);
  if (attr == a::kMessage) return AttrValue(std::string());
  if (attr == a::kAxis && op == detail::OpType::kOneHot) return AttrValue(std::int64_t{-1});
  if (attr == a::kAxis && op == detail::OpType::kPack) return AttrValue(std::int64_t{0});
  if (attr == a::kAxis && op == detail::OpType::kUnpack) return AttrValue(std::int64_t{0});
  if (attr == a::kShape && op == detail::OpType::kPlaceholder)
    return AttrValue(Shape::unknown_rank());
  if (attr == a::kOutType && (op == detail::OpType::kShape || op == detail::OpType::kSize))
    return AttrValue(DType::kInt32);
  if (attr == a::kSqueezeDims) return AttrValue(HostTensor(std::vector<std::int64_t>{}, Shape{0}));
  return std::nullopt;
}

// TF attributes varscope's rows do not keep, accepted at TF's default value only.
struct DefaultOnly {
  std::string_view attr;
  std::string_view s;  // the default of a string attribute
  bool b = false;      // the default of a bool attribute
  bool is_string = true;
};
constexpr DefaultOnly kDefaultOnly[] = {
    {"container", ""},
    {"shared_name", ""},
    {"data_format", "NHWC"},
    {"Truncate", "", false, false},
    {"incompatible_shape_error", "", true, false},  // Equal, NotEqual (TF 1.15's default)
};

}  // namespace

detail::Attrs attrs_from_node_def(const detail::OpDef& def,
                                  const tfp::NodeDef& node,
                                  const std::string& name) {
  detail::Attrs attrs;
  const auto& given = node.attr();
  for (int i = 0; i < def.num_attrs; ++i) {
    const detail::AttrDef& ad = def.attrs.at(static_cast<std::size_t>(i));
    const auto it = given.find(std::string(ad.name));
    if (it != given.end()) {
      attrs.emplace_back(std::string(ad.name), convert(it->second, ad.type, ad.name, name));
    } else if (std::optional<AttrValue> d = tf_default(def.op, ad.name)) {
      attrs.emplace_back(std::string(ad.name), std::move(*d));
    } else {
      throw ValueError("NodeDef missing attr '" + std::string(ad.name) +
                       "' from Op<name=" + std::string(def.name) + ">" + node_context(name));
    }
  }
  // The map's order is unspecified: the rest are checked in key order, so the first error
  // reported does not depend on it.
  std::vector<const std::string*> rest;
  for (const auto& [key, value] : given) {
    bool in_row = false;
    for (int i = 0; i < def.num_attrs; ++i)
      in_row = in_row || def.attrs.at(static_cast<std::size_t>(i)).name == key;
    if (!in_row) rest.push_back(&key);
  }
  std::sort(rest.begin(), rest.end(), [](const auto* x, const auto* y) { return *x < *y; });
  for (const std::string* key : rest) {
    const tfp::AttrValue& v = given.at(*key);
    using C = tfp::AttrValue;
    if (!key->empty() && key->front() == '_') {  // TF's internal attributes (_class, ...)
      if (v.value_case() == C::kList && v.list().s_size() > 0)
        attrs.emplace_back(*key,
                           std::vector<std::string>(v.list().s().begin(), v.list().s().end()));
      continue;
    }
    if (v.value_case() == C::kType) continue;  // implied by an input's dtype
    bool accepted = false;
    for (const DefaultOnly& d : kDefaultOnly) {
      if (d.attr != *key) continue;
      const bool is_default = d.is_string ? (v.value_case() == C::kS && v.s() == d.s)
                                          : (v.value_case() == C::kB && v.b() == d.b);
      if (!is_default) {
        throw UnimplementedError("Node '" + name + "': varscope supports attr '" + *key + "' of " +
                                 std::string(def.name) + " only at TF's default");
      }
      accepted = true;
    }
    if (accepted) continue;
    throw ValueError("NodeDef mentions attr '" + *key +
                     "' not in Op<name=" + std::string(def.name) + ">" + node_context(name) +
                     ". (Check whether your GraphDef-interpreting binary is up to date with your "
                     "GraphDef-generating binary.).");
  }
  return attrs;
}

int typed_input(detail::OpType op, std::string_view attr, int num_inputs) {
  using O = detail::OpType;
  int input = -1;
  if (attr == "T") {
    input = 0;
    if (op == O::kFill || op == O::kSelect || op == O::kSelectV2 || op == O::kSplit ||
        op == O::kScalarSummary || op == O::kHistogramSummary)  // after the tags
      input = 1;
    if (op == O::kOneHot) input = 2;
  } else if (attr == "SrcT" || attr == "TI" || attr == "Tparams") {
    input = 0;
  } else if (attr == "Tidx") {
    input = op == O::kRange ? 0 : (op == O::kConcatV2 ? num_inputs - 1 : 1);
  } else if (attr == "Tshape" || attr == "Tdim" || attr == "Tperm" || attr == "Tpaddings" ||
             attr == "Tmultiples" || attr == "Tindices" || attr == "Index" || attr == "Tlen" ||
             attr == "Tlabels") {
    input = 1;
  } else if (attr == "Taxis") {
    input = 2;
  } else if (attr == "index_type") {
    input = 0;
  } else if (attr == "dtype" &&
             (op == O::kIsVariableInitialized || op == O::kPlaceholderWithDefault)) {
    input = 0;
  }
  return input < num_inputs ? input : -1;
}

}  // namespace varscope::io
