// tf.compat.v1.summary's graph side (TF 1.15's summary/summary.py and summary_op_util.py):
// scalar, histogram, merge and merge_all, node for node. The ops' rows are in
// op_rows/summary_ops.cpp, their kernel in runtime/execute_summary.cpp.
#include <string>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"
#include "varscope/ops.h"
#include "varscope/summary.h"

namespace varscope::summary {

using detail::Access;
using detail::OpType;

namespace {

// summary_op_util.clean_tag: characters outside [-/\w.] become '_', leading '/' go. Bytes
// past ASCII are kept (UTF-8 letters are \w to Python).
std::string clean_tag(std::string_view name) {
  std::string out(name);
  for (char& ch : out) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '/' || c == '.' || c >= 0x80;
    if (!keep) ch = '_';
  }
  out.erase(0, out.find_first_not_of('/'));
  return out;
}

// summary_scope(name, family) with the op: "<scope>/<tag_input>" is the tag's Const, the op is
// named by the scope, and its output joins `collections`.
Tensor build_summary(OpType op,
                     const char* tag_input,
                     std::string_view name,
                     std::string_view family,
                     const Tensor& values,
                     const std::vector<std::string>& collections) {
  auto g = Access::lock(values);
  Graph graph = Access::graph(g);
  return g->mutate([&] {
    const std::string clean_family = clean_tag(family);
    std::string base = clean_tag(name);
    if (!family.empty()) base = clean_family + "/" + base;
    const NameScope scope = graph.name_scope(std::string_view(base));
    std::string tag = scope.name();
    while (!tag.empty() && tag.back() == '/')
      tag.pop_back();
    if (!family.empty()) tag = clean_family + "/" + tag;
    const Tensor tag_const = constant(graph, HostTensor(tag), {.name = tag_input});
    const detail::OpDef& def = detail::op_def(op);
    detail::check_input_dtype(def, 1, values.dtype());
    const int node = detail::add_op(*g, op, scope.name(), {g->ref_of(tag_const), g->ref_of(values)},
                                    {{detail::attr_name::kT, values.dtype()}});
    const Tensor out = Access::tensor(g, {node, 0});
    for (const std::string& key : collections)
      graph.add_to_collection(key, out);
    return out;
  });
}

}  // namespace

Tensor scalar(std::string_view name,
              const Tensor& tensor,
              const std::vector<std::string>& collections,
              std::string_view family) {
  return build_summary(OpType::kScalarSummary, "tags", name, family, tensor, collections);
}

Tensor histogram(std::string_view name,
                 const Tensor& values,
                 const std::vector<std::string>& collections,
                 std::string_view family) {
  return build_summary(OpType::kHistogramSummary, "tag", name, family, values, collections);
}

Tensor merge(const std::vector<Tensor>& inputs,
             const std::vector<std::string>& collections,
             std::string_view name) {
  if (inputs.empty()) {
    throw ValueError(
        "List argument 'inputs' to 'MergeSummary' Op with length 0 shorter than minimum length "
        "1.");
  }
  auto g = Access::lock(inputs[0]);
  Graph graph = Access::graph(g);
  return g->mutate([&] {
    std::vector<detail::TensorRef> refs;
    std::string types;
    bool all_strings = true;
    for (const Tensor& t : inputs) {
      refs.push_back(g->ref_of(t));  // one graph: another's is vs::ValueError
      types += (types.empty() ? "" : ", ") + std::string(dtype_name(t.dtype()));
      all_strings = all_strings && t.dtype() == DType::kString;
    }
    if (!all_strings) {
      throw TypeError("Tensors in list passed to 'inputs' of 'MergeSummary' Op have types [" +
                      types + "] that do not match expected type string.");
    }
    const NameScope scope =
        name.empty() ? graph.name_scope(std::nullopt, "Merge") : graph.name_scope(name, "Merge");
    const int node =
        detail::add_op(*g, OpType::kMergeSummary, name.empty() ? "MergeSummary" : name,
                       std::move(refs), {{detail::attr_name::kN, std::int64_t(inputs.size())}});
    const Tensor out = Access::tensor(g, {node, 0});
    for (const std::string& key : collections)
      graph.add_to_collection(key, out);
    return out;
  });
}

std::optional<Tensor> merge_all(Graph& g,
                                const std::string& key,
                                const std::optional<std::string>& scope,
                                std::string_view name) {
  const std::vector<Tensor> summaries = g.get_collection_tensors(key, scope);
  if (summaries.empty()) return std::nullopt;
  return merge(summaries, {}, name);
}

}  // namespace varscope::summary
