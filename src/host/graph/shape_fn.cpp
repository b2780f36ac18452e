#include "host/graph/shape_fn.h"

#include <algorithm>
#include <sstream>

#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail {

ShapeContext::ShapeContext(const OpDef& def,
                           std::string_view node_name,
                           std::span<const ShapeInput> inputs,
                           const Attrs& attrs,
                           bool at_run_time)
    : def_(def),
      node_name_(node_name),
      inputs_(inputs),
      attrs_(attrs),
      at_run_time_(at_run_time),
      asked_value_(inputs.size(), 0),
      asked_shape_(inputs.size(), 0) {}

const ShapeInput& ShapeContext::input(int i) const {
  if (i < 0 || static_cast<std::size_t>(i) >= inputs_.size()) {
    throw InternalError("Shape function of " + std::string(def_.name) + " read input " +
                        std::to_string(i) + " of " + std::to_string(inputs_.size()));
  }
  return inputs_[static_cast<std::size_t>(i)];
}

const HostTensor* ShapeContext::value(int i) const {
  const ShapeInput& in = input(i);
  asked_value_[static_cast<std::size_t>(i)] = 1;
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
  asked_shape_[static_cast<std::size_t>(i)] = 1;
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
  throw InternalError("Node '" + std::string(node_name_) + "' (op " + std::string(def_.name) +
                      ") has no attr '" + std::string(name) + "' of the type its shape needs");
}

void ShapeContext::fail(std::string_view graph_text, std::string_view run_text) const {
  if (at_run_time_) {
    throw InvalidArgumentError(std::string(run_text) + "\n\t [[{{node " + std::string(node_name_) +
                               "}}]]");
  }
  // TF's InferenceContext::AttachContext.
  std::string text(graph_text);
  text += " for '" + std::string(node_name_) + "' (op: '" + std::string(def_.name) +
          "') with input shapes: ";
  std::string computed, partial;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (i > 0) text += ", ";
    text += inputs_[i].shape->to_list_string();
    const HostTensor* v = inputs_[i].value;
    if (v == nullptr) continue;
    const std::string index = "input[" + std::to_string(i) + "] = ";
    if (asked_shape_[i] && v->shape().rank() == 1) {
      partial += (partial.empty() ? "" : ",") + index +
                 value_as_shape(static_cast<int>(i)).to_list_string();
    } else if (asked_value_[i]) {
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

}  // namespace shape_fn

}  // namespace varscope::detail
