// Collections of tensors and ops (tf.add_to_collection / tf.get_collection for LOSSES,
// UPDATE_OPS, SUMMARIES, ...). Variables' collections live in variables.cpp.
#include "host/graph/collection_filter.h"
#include "host/graph/graph_impl.h"
#include "varscope/errors.h"
#include "varscope/graph.h"

namespace varscope {
namespace detail {

void GraphImpl::add_element_to_collection(std::string_view key, TensorRef element) {
  auto it = element_collections.find(key);
  const bool created = it == element_collections.end();
  if (created) it = element_collections.emplace(std::string(key), std::vector<TensorRef>{}).first;
  if (journaling_) {
    journal_.elements.emplace_back(it->first, created ? std::string::npos : it->second.size());
  }
  it->second.push_back(element);
}

}  // namespace detail

using detail::Access;
using detail::TensorRef;

namespace {

// Elements are (node, output) pairs; output -1 stands for the op itself.
constexpr int kWholeOp = -1;

std::vector<TensorRef> elements(const detail::GraphImpl& g,
                                const std::string& key,
                                const std::optional<std::string>& scope,
                                bool ops) {
  std::vector<TensorRef> out;
  auto it = g.element_collections.find(key);
  if (it == g.element_collections.end()) return out;
  const detail::CollectionScopeFilter filter(scope);
  for (TensorRef r : it->second) {
    if ((r.index == kWholeOp) != ops) continue;
    const std::string& op_name = g.node(r.node).name;
    if (filter.matches(ops ? op_name : op_name + ":" + std::to_string(r.index))) out.push_back(r);
  }
  return out;
}

}  // namespace

void Graph::add_to_collection(const std::string& key, const Tensor& value) {
  const auto& g = impl();
  g->mutate([&] { g->add_element_to_collection(key, g->ref_of(value)); });
}

void Graph::add_to_collection(const std::string& key, const Operation& op) {
  const auto& g = impl();
  if (!op.valid()) throw ValueError("add_to_collection: the Operation handle is empty");
  if (Access::lock(op) != g) {
    throw ValueError("Operation '" + op.name() + "' is not an element of this graph.");
  }
  g->mutate([&] { g->add_element_to_collection(key, TensorRef{op.id(), kWholeOp}); });
}

std::vector<Tensor> Graph::get_collection_tensors(const std::string& key,
                                                  const std::optional<std::string>& scope) const {
  const auto& g = impl();
  std::vector<Tensor> out;
  for (TensorRef r : elements(*g, key, scope, false))
    out.push_back(Access::tensor(g, r));
  return out;
}

std::vector<Operation> Graph::get_collection_operations(
    const std::string& key, const std::optional<std::string>& scope) const {
  const auto& g = impl();
  std::vector<Operation> out;
  for (TensorRef r : elements(*g, key, scope, true))
    out.push_back(Access::operation(g, r.node));
  return out;
}

}  // namespace varscope
