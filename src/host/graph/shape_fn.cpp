#include "host/graph/shape_fn.h"

#include <algorithm>
#include <sstream>

#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail {

ShapeContext::ShapeContext(const OpDef& def,
                           std::string_view node_name,
                           std::span<const ShapeInput> inputs,
                           const Attrs& attrs,
                           bool at_run_time)
    : def_(def), node_name_(node_name), inputs_(inputs), attrs_(attrs), at_run_time_(at_run_time) {}

ShapeContext::ShapeContext(const OpDef& def,
                           GraphImpl& graph,
                           std::string_view name_or_scope,
                           std::span<const ShapeInput> inputs,
                           const Attrs& attrs)
    : ShapeContext(def, name_or_scope, inputs, attrs, /*at_run_time=*/false) {
  graph_ = &graph;
}

std::string_view ShapeContext::type() const {
  return def_.name;
}

std::string ShapeContext::node_name() const {
  if (graph_ == nullptr) return std::string(node_name_);
  if (!node_name_.empty() && node_name_.back() == '/') {
    return std::string(node_name_.substr(0, node_name_.size() - 1));
  }
  return graph_->unique_name(node_name_, /*mark_as_used=*/false);
}

const ShapeInput& ShapeContext::input(int i) const {
  if (i < 0 || static_cast<std::size_t>(i) >= inputs_.size()) {
    throw InternalError("Shape function of " + std::string(def_.name) + " read input " +
                        std::to_string(i) + " of " + std::to_string(inputs_.size()));
  }
  return inputs_[static_cast<std::size_t>(i)];
}

const HostTensor* ShapeContext::value(int i) const {
  const ShapeInput& in = input(i);
  asked_value_ |= bit(i);
  return in.value;
}

std::optional<std::vector<std::int64_t>> ShapeContext::int_values(int i) const {
  const HostTensor* v = value(i);
  if (v == nullptr) return std::nullopt;
  std::vector<std::int64_t> out(static_cast<std::size_t>(v->num_elements()));
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k] = static_cast<std::int64_t>(v->element_as_double(static_cast<std::int64_t>(k)));
  }
  return out;
}

Shape ShapeContext::value_as_shape(int i) const {
  const ShapeInput& in = input(i);
  asked_shape_ |= bit(i);
  if (in.value != nullptr) {
    std::vector<std::int64_t> dims(static_cast<std::size_t>(in.value->num_elements()));
    for (std::size_t k = 0; k < dims.size(); ++k) {
      const auto d =
          static_cast<std::int64_t>(in.value->element_as_double(static_cast<std::int64_t>(k)));
      dims[k] = d < 0 ? kUnknownDim : d;
    }
    if (in.value->shape().rank() == 0) return Shape::unknown_rank();
    return Shape(std::move(dims));
  }
  if (in.shape_value != nullptr) return *in.shape_value;
  if (in.shape->rank() == 1 && in.shape->dim(0) >= 0) {
    return Shape(
        std::vector<std::int64_t>(static_cast<std::size_t>(in.shape->dim(0)), kUnknownDim));
  }
  return Shape::unknown_rank();
}

const AttrValue* ShapeContext::find_attr(std::string_view name) const {
  for (const auto& [n, v] : attrs_) {
    if (n == name) return &v;
  }
  return nullptr;
}

void ShapeContext::missing_attr(std::string_view name) const {
  throw InternalError("Node '" + node_name() + "' (op " + std::string(def_.name) +
                      ") has no attr '" + std::string(name) + "' of the type its shape needs");
}

void ShapeContext::fail(std::string_view graph_text, std::string_view run_text) const {
  if (at_run_time_) {
    throw InvalidArgumentError(std::string(run_text) + "\n\t [[{{node " + node_name() + "}}]]");
  }
  // TF's InferenceContext::AttachContext.
  std::string text(graph_text);
  text += " for '" + node_name() + "' (op: '" + std::string(def_.name) + "') with input shapes: ";
  std::string computed, partial;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (i > 0) text += ", ";
    text += inputs_[i].shape->to_list_string();
    const HostTensor* v = inputs_[i].value;
    if (v == nullptr) continue;
    const std::string index = "input[" + std::to_string(i) + "] = ";
    if ((asked_shape_ & bit(static_cast<int>(i))) != 0 && v->shape().rank() == 1) {
      partial += (partial.empty() ? "" : ",") + index +
                 value_as_shape(static_cast<int>(i)).to_list_string();
    } else if ((asked_value_ & bit(static_cast<int>(i))) != 0) {
      computed += (computed.empty() ? "" : ", ") + index + "<" + summarize_value(*v) + ">";
    }
  }
  if (!computed.empty()) text += " and with computed input tensors: " + computed;
  if (!partial.empty()) text += " and with input tensors computed as partial shapes: " + partial;
  throw ValueError(text + ".");
}

std::vector<OutputSpec> run_time_outputs(const Node& node, std::span<const ShapeInput> inputs) {
  const OpDef& def = op_def(node.op);
  if (def.shape == nullptr) throw InternalError("Op " + node.type + " has no shape function");
  return def.shape(ShapeContext(def, node.name, inputs, node.attrs, /*at_run_time=*/true));
}

Shape merge(
    const ShapeContext& c, const Shape& a, const Shape& b, RunText run_text, int from_merging) {
  if (!a.has_rank()) return b;
  if (!b.has_rank()) return a;
  auto fail = [&](std::string graph_text) {
    if (from_merging >= 0) {
      graph_text +=
          "\n\tFrom merging shape " + std::to_string(from_merging) + " with other shapes.";
    }
    c.fail(graph_text, c.at_run_time() ? run_text(c) : std::string());
  };
  if (a.rank() != b.rank()) {
    fail("Shapes must be equal rank, but are " + std::to_string(a.rank()) + " and " +
         std::to_string(b.rank()));
  }
  std::vector<std::int64_t> dims = a.dims();
  for (int d = 0; d < a.rank(); ++d) {
    const std::int64_t x = a.dim(d), y = b.dim(d);
    if (x != kUnknownDim && y != kUnknownDim && x != y) {
      fail("Dimension " + std::to_string(d) + " in both shapes must be equal, but are " +
           std::to_string(x) + " and " + std::to_string(y) + ". Shapes are " + a.to_list_string() +
           " and " + b.to_list_string() + ".");
    }
    if (x == kUnknownDim) dims[static_cast<std::size_t>(d)] = y;
  }
  return Shape(std::move(dims));
}

std::string summarize_value(const HostTensor& t, int max_values) {
  std::ostringstream os;
  const std::int64_t n = t.num_elements();
  const int rank = t.shape().rank();
  const std::int64_t limit = std::min<std::int64_t>(n, max_values);
  auto element = [&](std::int64_t i) {
    if (t.dtype() == DType::kBool) {
      os << (t.element_as_double(i) != 0 ? "1" : "0");
    } else if (is_integer(t.dtype())) {
      os << static_cast<std::int64_t>(t.element_as_double(i));
    } else {
      os << t.element_as_double(i);
    }
  };
  // TF's PrintOneDim: the innermost dimension's elements separated by spaces, each outer
  // dimension's entries in brackets ("[-1 0][0 0]" for a matrix).
  std::int64_t next = 0;
  auto print_dim = [&](auto& self, int d) -> void {
    const std::int64_t size = t.shape().dim(d);
    for (std::int64_t i = 0; i < size && next < limit; ++i) {
      if (d == rank - 1) {
        if (i > 0) os << ' ';
        element(next++);
      } else {
        os << '[';
        self(self, d + 1);
        os << ']';
      }
    }
  };
  if (rank <= 1) {
    for (std::int64_t i = 0; i < limit; ++i) {
      if (i > 0) os << ' ';
      element(i);
    }
  } else {
    print_dim(print_dim, 0);
  }
  if (n > max_values) os << "...";
  return os.str();
}

namespace shape_fn {

std::vector<OutputSpec> same_as_input(const ShapeContext& c) {
  return {{c.dtype(0), c.shape(0)}};
}

std::vector<OutputSpec> shape_of_input1(const ShapeContext& c) {
  return {{c.dtype(0), c.shape(1)}};
}

std::vector<OutputSpec> broadcast_binary(const ShapeContext& c) {
  const Shape& x = c.shape(0);
  const Shape& y = c.shape(1);
  std::optional<Shape> out = broadcast(x, y);
  if (!out) {
    const auto [a, b] = first_broadcast_mismatch(x, y);
    c.fail("Dimensions must be equal, but are " + std::to_string(a) + " and " + std::to_string(b),
           "Incompatible shapes: " + x.to_list_string() + " vs. " + y.to_list_string());
  }
  return {{c.dtype(0), std::move(*out)}};
}

std::vector<OutputSpec> merge_both_inputs(const ShapeContext& c) {
  return {{c.dtype(0), merge(c, c.shape(0), c.shape(1), [](const ShapeContext& c) {
             return std::string(c.type()) +
                    " requires inputs of one shape: " + c.shape(0).to_list_string() + " vs. " +
                    c.shape(1).to_list_string();
           })}};
}

std::vector<OutputSpec> none(const ShapeContext&) {
  return {};
}

std::vector<OutputSpec> random(const ShapeContext& c) {
  const DType dtype = c.find_attr(attr_name::kDType) != nullptr ? c.attr<DType>(attr_name::kDType)
                                                                : c.attr<DType>(attr_name::kTout);
  return {{dtype, c.value_as_shape(0)}};
}

}  // namespace shape_fn

}  // namespace varscope::detail
