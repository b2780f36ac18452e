// Operation, Tensor and Variable: handles that look their node up in a live graph.
#include "host/graph/graph_impl.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {

std::shared_ptr<GraphImpl> Access::lock(const std::weak_ptr<GraphImpl>& g, int id) {
  if (id < 0) throw ValueError("The handle is empty (default-constructed)");
  auto locked = g.lock();
  if (!locked) throw FailedPreconditionError("The graph of this handle has been destroyed");
  return locked;
}

const AttrValue* Node::find_attr(std::string_view attr) const {
  for (const auto& [key, value] : attrs) {
    if (key == attr) return &value;
  }
  return nullptr;
}

}  // namespace detail

namespace {

using detail::Access;

template <typename T>
const T& attr_as(const detail::Node& node, const std::string& attr) {
  const detail::AttrValue* v = node.find_attr(attr);
  if (v == nullptr) {
    throw NotFoundError("Operation '" + node.name + "' has no attr named '" + attr + "'.");
  }
  const T* typed = std::get_if<T>(v);
  if (typed == nullptr) {
    throw InvalidArgumentError("Attr '" + attr + "' of operation '" + node.name +
                               "' is of another type");
  }
  return *typed;
}

}  // namespace

// ---- Operation ----

std::string Operation::name() const {
  return Access::lock(*this)->node(node_).name;
}
std::string Operation::type() const {
  return Access::lock(*this)->node(node_).type;
}
std::string Operation::device() const {
  return Access::lock(*this)->node(node_).device;
}
int Operation::num_inputs() const {
  return static_cast<int>(Access::lock(*this)->node(node_).inputs.size());
}
Tensor Operation::input(int i) const {
  auto g = Access::lock(*this);
  const detail::Node& n = g->node(node_);
  if (i < 0 || i >= static_cast<int>(n.inputs.size())) {
    throw ValueError("Operation '" + n.name + "' has no input " + std::to_string(i));
  }
  return Access::tensor(g, n.inputs[static_cast<std::size_t>(i)]);
}
int Operation::num_outputs() const {
  return static_cast<int>(Access::lock(*this)->node(node_).outputs.size());
}
Tensor Operation::output(int i) const {
  auto g = Access::lock(*this);
  if (i < 0 || i >= static_cast<int>(g->node(node_).outputs.size())) {
    throw ValueError("Operation '" + g->node(node_).name + "' has no output " + std::to_string(i));
  }
  return Access::tensor(g, {node_, i});
}
std::vector<Operation> Operation::control_inputs() const {
  auto g = Access::lock(*this);
  std::vector<Operation> out;
  for (int c : g->node(node_).control_inputs)
    out.push_back(Access::operation(g, c));
  return out;
}
Graph Operation::graph() const {
  return Access::graph(Access::lock(*this));
}

bool Operation::has_attr(const std::string& name) const {
  return Access::lock(*this)->node(node_).find_attr(name) != nullptr;
}
std::int64_t Operation::attr_int(const std::string& name) const {
  return attr_as<std::int64_t>(Access::lock(*this)->node(node_), name);
}
double Operation::attr_float(const std::string& name) const {
  return attr_as<double>(Access::lock(*this)->node(node_), name);
}
bool Operation::attr_bool(const std::string& name) const {
  return attr_as<bool>(Access::lock(*this)->node(node_), name);
}
DType Operation::attr_dtype(const std::string& name) const {
  return attr_as<DType>(Access::lock(*this)->node(node_), name);
}
Shape Operation::attr_shape(const std::string& name) const {
  return attr_as<Shape>(Access::lock(*this)->node(node_), name);
}
HostTensor Operation::attr_tensor(const std::string& name) const {
  return attr_as<HostTensor>(Access::lock(*this)->node(node_), name);
}
std::vector<std::string> Operation::attr_strings(const std::string& name) const {
  return attr_as<std::vector<std::string>>(Access::lock(*this)->node(node_), name);
}

std::string Operation::attr_string(const std::string& name) const {
  return attr_as<std::string>(Access::lock(*this)->node(node_), name);
}
std::vector<std::int64_t> Operation::attr_ints(const std::string& name) const {
  return attr_as<std::vector<std::int64_t>>(Access::lock(*this)->node(node_), name);
}

// ---- Tensor ----

std::string Tensor::name() const {
  return Access::lock(*this)->node(node_).name + ":" + std::to_string(index_);
}
DType Tensor::dtype() const {
  return Access::lock(*this)->node(node_).outputs.at(static_cast<std::size_t>(index_)).dtype;
}
Shape Tensor::shape() const {
  return Access::lock(*this)->node(node_).outputs.at(static_cast<std::size_t>(index_)).shape;
}
Graph Tensor::graph() const {
  return Access::graph(Access::lock(*this));
}

// ---- Variable ----

namespace {
const detail::VariableRecord& record(const detail::GraphImpl& g, int id) {
  return g.variables.at(static_cast<std::size_t>(id));
}
}  // namespace

std::string Variable::name() const {
  return op_name() + ":0";
}
std::string Variable::op_name() const {
  auto g = Access::lock(*this);
  return g->node(record(*g, id_).node).name;
}
Operation Variable::op() const {
  auto g = Access::lock(*this);
  return Access::operation(g, record(*g, id_).node);
}
DType Variable::dtype() const {
  return record(*Access::lock(*this), id_).dtype;
}
Shape Variable::shape() const {
  return record(*Access::lock(*this), id_).shape;
}
bool Variable::trainable() const {
  return record(*Access::lock(*this), id_).trainable;
}
Operation Variable::initializer() const {
  auto g = Access::lock(*this);
  return Access::operation(g, record(*g, id_).assign);
}
Tensor Variable::value() const {
  auto g = Access::lock(*this);
  return Access::tensor(g, {record(*g, id_).read, 0});
}
Tensor Variable::initial_value() const {
  auto g = Access::lock(*this);
  return Access::tensor(g, record(*g, id_).initial_value);
}
Graph Variable::graph() const {
  return Access::graph(Access::lock(*this));
}
std::string Variable::store_name() const {
  return record(*Access::lock(*this), id_).store_key;
}
std::optional<SaveSliceInfo> Variable::save_slice_info() const {
  return record(*Access::lock(*this), id_).slice;
}

}  // namespace varscope
