// graph_def_lowering.h's inverse: varscope's gradient helpers, written as TF's subgraphs, read
// back as the one op each, so a training graph varscope wrote imports into varscope.
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/io/graph_def_lowering.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;

std::string_view node_of_input(std::string_view input) {
  if (input.starts_with("^")) input.remove_prefix(1);
  const std::size_t colon = input.rfind(':');
  return colon == std::string_view::npos ? input : input.substr(0, colon);
}

struct Step {
  std::string_view suffix, op;
};

// SumToShape: Shape(dy), Shape_1(like), BroadcastGradientArgs, Sum, then the Reshape `name`.
constexpr Step kSumToShape[] = {{"Shape", "Shape"},
                                {"Shape_1", "Shape"},
                                {"BroadcastGradientArgs", "BroadcastGradientArgs"},
                                {"Sum", "Sum"}};
// BroadcastToShape: reduced_shape, Reshape and the safe quotient; then Tile `name` (a sum) or
// Tile, Const, Prod, Cast and the RealDiv `name` (a mean). Cast_axes only for int64 axes.
constexpr Step kBroadcastToShape[] = {{"Shape", "Shape"},
                                      {"Size", "Size"},
                                      {"add", "Add"},
                                      {"mod", "FloorMod"},
                                      {"Shape_1", "Shape"},
                                      {"range/start", "Const"},
                                      {"range/delta", "Const"},
                                      {"range", "Range"},
                                      {"Fill/value", "Const"},
                                      {"Fill", "Fill"},
                                      {"DynamicStitch", "DynamicStitch"},
                                      {"Maximum/y", "Const"},
                                      {"Maximum", "Maximum"},
                                      {"floordiv", "FloorDiv"},
                                      {"Reshape", "Reshape"}};
constexpr Step kMeanSteps[] = {
    {"Tile", "Tile"}, {"Const", "Const"}, {"Prod", "Prod"}, {"Cast", "Cast"}};

class Raiser {
 public:
  explicit Raiser(tfp::GraphDef& def) : def_(def) {
    for (int i = 0; i < def.node_size(); ++i) {
      by_name_.emplace(def.node(i).name(), i);
      for (const std::string& in : def.node(i).input())
        ++refs_[std::string(node_of_input(in))];
    }
  }

  void run() {
    std::vector<bool> drop(static_cast<std::size_t>(def_.node_size()), false);
    std::vector<std::pair<int, tfp::NodeDef>> raised;
    for (int i = 0; i < def_.node_size(); ++i) {
      const tfp::NodeDef& n = def_.node(i);
      std::vector<int> helpers;
      if (n.op() == "Reshape" && match(n, kSumToShape, {}, helpers)) {
        const tfp::NodeDef& sum = node(n.name() + "/Sum");
        const tfp::NodeDef& like = node(n.name() + "/Shape_1");
        if (sum.input_size() != 2 || like.input_size() != 1) continue;
        raised.emplace_back(i, helper_op(n, "SumToShape", {sum.input(0), like.input(0)}));
      } else if ((n.op() == "Tile" || n.op() == "RealDiv") &&
                 match(n, kBroadcastToShape,
                       n.op() == "RealDiv" ? std::span(kMeanSteps) : std::span<const Step>{},
                       helpers)) {
        const tfp::NodeDef& reshape = node(n.name() + "/Reshape");
        const tfp::NodeDef& shape = node(n.name() + "/Shape");
        const tfp::NodeDef& add = node(n.name() + "/add");
        if (reshape.input_size() != 2 || shape.input_size() != 1 || add.input_size() != 2) continue;
        std::string axes = add.input(0);
        if (const auto cast = by_name_.find(n.name() + "/Cast_axes"); cast != by_name_.end()) {
          const tfp::NodeDef& c = def_.node(cast->second);
          if (c.op() != "Cast" || c.input_size() != 1 || axes != c.name() || refs_[c.name()] != 1)
            continue;
          axes = c.input(0);
          helpers.push_back(cast->second);
        }
        tfp::NodeDef op =
            helper_op(n, "BroadcastToShape", {reshape.input(0), shape.input(0), axes});
        (*op.mutable_attr())["mean"].set_b(n.op() == "RealDiv");
        raised.emplace_back(i, std::move(op));
      } else {
        continue;
      }
      for (int h : helpers)
        drop[static_cast<std::size_t>(h)] = true;
    }
    if (raised.empty()) return;
    for (auto& [i, op] : raised)
      *def_.mutable_node(i) = std::move(op);
    google::protobuf::RepeatedPtrField<tfp::NodeDef> kept;
    for (int i = 0; i < def_.node_size(); ++i) {
      if (!drop[static_cast<std::size_t>(i)]) *kept.Add() = std::move(*def_.mutable_node(i));
    }
    def_.mutable_node()->Swap(&kept);
  }

 private:
  const tfp::NodeDef& node(const std::string& name) const { return def_.node(by_name_.at(name)); }

  // Every step "<name>/<suffix>" exists with its op, and nothing but the subgraph and the
  // final node reads any of them.
  bool match(const tfp::NodeDef& n,
             std::span<const Step> steps,
             std::span<const Step> more,
             std::vector<int>& helpers) {
    helpers.clear();
    std::unordered_map<std::string, int> internal;
    const auto add_step = [&](const Step& s) {
      const auto it = by_name_.find(n.name() + "/" + std::string(s.suffix));
      if (it == by_name_.end() || def_.node(it->second).op() != s.op) return false;
      helpers.push_back(it->second);
      return true;
    };
    for (const Step& s : steps)
      if (!add_step(s)) return false;
    for (const Step& s : more)
      if (!add_step(s)) return false;
    if (const auto cast = by_name_.find(n.name() + "/Cast_axes"); cast != by_name_.end())
      for (const std::string& in : def_.node(cast->second).input())
        ++internal[std::string(node_of_input(in))];
    for (int h : helpers)
      for (const std::string& in : def_.node(h).input())
        ++internal[std::string(node_of_input(in))];
    for (const std::string& in : n.input())
      ++internal[std::string(node_of_input(in))];
    for (int h : helpers) {
      const std::string& name = def_.node(h).name();
      if (refs_[name] != internal[name]) return false;
    }
    return true;
  }

  // The helper node itself: `name`, its T, `inputs` (its control inputs kept).
  static tfp::NodeDef helper_op(const tfp::NodeDef& n,
                                std::string_view op,
                                std::initializer_list<std::string> inputs) {
    tfp::NodeDef out;
    out.set_name(n.name());
    out.set_op(std::string(op));
    out.set_device(n.device());
    for (const std::string& in : inputs)
      out.add_input(in);
    for (const std::string& in : n.input())
      if (in.starts_with("^")) out.add_input(in);
    if (const auto t = n.attr().find("T"); t != n.attr().end())
      (*out.mutable_attr())["T"] = t->second;
    return out;
  }

  tfp::GraphDef& def_;
  std::unordered_map<std::string, int> by_name_;
  std::unordered_map<std::string, int> refs_;
};

}  // namespace

void raise_lowered_helpers(tfp::GraphDef& def) {
  Raiser(def).run();
}

}  // namespace varscope::io
