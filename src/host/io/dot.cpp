// Graph::to_dot: Graphviz DOT with one cluster per name scope, nested as the scopes are, like
// TensorBoard's grouping. An op whose name is itself a scope of other ops ("v/Weights" and
// "v/Weights/read") sits inside that scope's cluster, as TensorBoard draws it. Data edges
// are solid and labelled with the tensor's shape; control edges are dashed. The output
// depends only on the graph: ops in creation order, clusters in order of first use.
// Clusters nest at most kMaxClusterDepth deep. DotOptions can collapse each variable's
// initializer into one node and mark shared variables and their readers.
#include "host/io/dot.h"

#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "varscope/dot.h"
#include "varscope/graph.h"

namespace varscope {
namespace io {

std::string dot_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.push_back('\\');
      out.push_back('n');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string dot_quote(std::string_view s) {
  std::string out;
  out.push_back('"');
  out.append(dot_escape(s));
  out.push_back('"');
  return out;
}

}  // namespace io

namespace {

// Clusters nest at most this deep; deeper scopes are drawn inside the deepest one (each op
// keeps its full name as tooltip), so a name of 60k components makes a picture, not a
// stack overflow or an output quadratic in its length.
constexpr int kMaxClusterDepth = 64;

struct Cluster {
  std::string_view path;  // "v_scope/Weights"; "" for the graph itself
  std::vector<int> clusters;
  std::vector<int> ops;
  std::vector<int> initializers;  // collapsed initializers (by variable op), drawn after ops
};

constexpr const char* kSharedColor = "#d62728";

std::string_view parent_path(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view last_component(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The scopes as a tree of name components: node (parent, component) -> id. Each component
// of each name is hashed once, so building it is linear in the names' total length.
class ScopeTree {
 public:
  struct Node {
    int parent = -1;
    int depth = 0;          // components from the root
    std::string_view path;  // a prefix of some op's name
    bool has_children = false;
    int cluster = -1;  // its cluster once drawn
  };

  ScopeTree() { nodes_.push_back(Node{}); }

  // The node of `name`, creating the nodes of its prefixes. `name` must outlive the tree.
  int insert(std::string_view name) {
    int node = 0;
    std::size_t begin = 0;
    while (true) {
      const std::size_t slash = name.find('/', begin);
      const std::size_t end = slash == std::string_view::npos ? name.size() : slash;
      const Key key{node, name.substr(begin, end - begin)};
      auto [it, inserted] = children_.try_emplace(key, static_cast<int>(nodes_.size()));
      if (inserted) {
        nodes_.push_back(Node{node, nodes_[static_cast<std::size_t>(node)].depth + 1,
                              name.substr(0, end), false, -1});
        nodes_[static_cast<std::size_t>(node)].has_children = true;
      }
      node = it->second;
      if (slash == std::string_view::npos) return node;
      begin = slash + 1;
    }
  }

  Node& operator[](int id) { return nodes_[static_cast<std::size_t>(id)]; }

 private:
  struct Key {
    int parent;
    std::string_view component;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::string_view>{}(k.component) * 31 + static_cast<std::size_t>(k.parent);
    }
  };
  std::vector<Node> nodes_;
  std::unordered_map<Key, int, KeyHash> children_;
};

class DotWriter {
 public:
  DotWriter(const std::vector<Operation>& ops, const DotOptions& options)
      : ops_(ops), options_(options), owner_(ops.size(), -1), shared_(ops.size(), false) {
    names_.reserve(ops.size());
    for (const Operation& op : ops)
      names_.push_back(op.name());
    for (std::size_t i = 0; i < names_.size(); ++i)
      index_.emplace(names_[i], static_cast<int>(i));
    if (options_.collapse_initializers) find_initializers();
    if (options_.mark_shared_variables) find_shared();
    // Collapsed ops take no part in the scopes: their clusters would be empty.
    std::vector<int> node_of(names_.size(), -1);
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (owner_[i] < 0) node_of[i] = tree_.insert(names_[i]);
    }
    clusters_.push_back(Cluster{});
    tree_[0].cluster = 0;
    // An op whose name is itself a scope sits in that scope's cluster; clusters are made in
    // order of first use. A collapsed initializer sits beside its variable.
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (owner_[i] >= 0) continue;
      const ScopeTree::Node& n = tree_[node_of[i]];
      const int home = n.has_children ? node_of[i] : n.parent;
      Cluster& c = clusters_[static_cast<std::size_t>(cluster(home))];
      c.ops.push_back(static_cast<int>(i));
      if (has_initializer_.count(static_cast<int>(i)) != 0) {
        c.initializers.push_back(static_cast<int>(i));
      }
    }
  }

  std::string write() const {
    std::ostringstream os;
    os << "digraph G {\n";
    os << "  node [shape=box, style=rounded, fontsize=10];\n";
    os << "  edge [fontsize=8];\n";
    write_clusters(os);
    // Edges into or out of a collapsed initializer are drawn once; those inside it not at all.
    std::set<std::pair<std::string, std::string>> collapsed_edges;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const Operation& op = ops_[i];
      const std::string to = io::dot_quote(endpoint(static_cast<int>(i)));
      for (int k = 0; k < op.num_inputs(); ++k) {
        const Tensor t = op.input(k);
        const int from_op = index_of(t.op().name());
        const std::string from = io::dot_quote(endpoint(from_op));
        if (from == to) continue;
        const bool collapsed = owner_[i] >= 0 || owner_[static_cast<std::size_t>(from_op)] >= 0;
        if (collapsed && !collapsed_edges.emplace(from, to).second) continue;
        os << "  " << from << " -> " << to
           << " [label=" << io::dot_quote(t.shape().to_list_string())
           << ", tooltip=" << io::dot_quote(t.name());
        if (shared_[static_cast<std::size_t>(from_op)] && shared_[i]) {
          os << ", color=\"" << kSharedColor << "\"";
        }
        os << "];\n";
      }
      for (const Operation& c : op.control_inputs()) {
        const int from_op = index_of(c.name());
        const std::string from = io::dot_quote(endpoint(from_op));
        if (from == to) continue;
        const bool collapsed = owner_[i] >= 0 || owner_[static_cast<std::size_t>(from_op)] >= 0;
        if (collapsed && !collapsed_edges.emplace(from, to).second) continue;
        os << "  " << from << " -> " << to << " [style=dashed];\n";
      }
    }
    os << "}\n";
    return os.str();
  }

 private:
  // The cluster of scope node `node` (of its ancestor at kMaxClusterDepth when deeper),
  // made with the clusters of its ancestors, outermost first, when first used.
  int cluster(int node) {
    while (tree_[node].depth > kMaxClusterDepth)
      node = tree_[node].parent;
    std::vector<int> missing;
    for (int n = node; tree_[n].cluster < 0; n = tree_[n].parent)
      missing.push_back(n);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      ScopeTree::Node& n = tree_[*it];
      n.cluster = static_cast<int>(clusters_.size());
      clusters_.push_back(Cluster{n.path, {}, {}, {}});
      clusters_[static_cast<std::size_t>(tree_[n.parent].cluster)].clusters.push_back(n.cluster);
    }
    return tree_[node].cluster;
  }

  // Depth first with an explicit stack: a cluster's sub-clusters, then its ops.
  void write_clusters(std::ostringstream& os) const {
    struct Frame {
      int cluster;
      std::size_t next_child;
    };
    std::vector<Frame> stack{{0, 0}};
    while (!stack.empty()) {
      Frame& f = stack.back();
      const Cluster& c = clusters_[static_cast<std::size_t>(f.cluster)];
      const std::string indent(2 * stack.size(), ' ');
      if (f.next_child < c.clusters.size()) {
        const int child = c.clusters[f.next_child++];
        const Cluster& cc = clusters_[static_cast<std::size_t>(child)];
        os << indent << "subgraph " << io::dot_quote("cluster_" + std::string(cc.path)) << " {\n";
        os << indent << "  label=" << io::dot_quote(last_component(cc.path)) << ";\n";
        os << indent << "  tooltip=" << io::dot_quote(cc.path) << ";\n";
        stack.push_back({child, 0});
        continue;
      }
      for (int i : c.ops)
        write_op(os, indent, i);
      for (int v : c.initializers)
        write_initializer(os, indent, v);
      stack.pop_back();
      if (!stack.empty()) os << std::string(2 * stack.size(), ' ') << "}\n";
    }
  }

  void write_op(std::ostringstream& os, const std::string& indent, int i) const {
    const std::string& name = names_[static_cast<std::size_t>(i)];
    const std::string type = ops_[static_cast<std::size_t>(i)].type();
    // Label: the short name, a line break, then the op type in parentheses; then the device
    // the op was placed on (Graph::device, colocation), when it has one.
    std::string label;
    label.push_back('"');
    label.append(io::dot_escape(last_component(name)));
    label.append("\\n(");
    label.append(io::dot_escape(type));
    label.append(")");
    const std::string device = ops_[static_cast<std::size_t>(i)].device();
    if (!device.empty()) label.append("\\n" + io::dot_escape(device));
    label.push_back('"');
    os << indent << io::dot_quote(name) << " [label=" << label
       << ", tooltip=" << io::dot_quote(name);
    if (type == "VariableV2") os << ", shape=ellipse, style=\"\"";
    if (shared_[static_cast<std::size_t>(i)]) {
      os << ", color=\"" << kSharedColor << "\"";
      if (type == "VariableV2") os << ", penwidth=2, fontcolor=\"" << kSharedColor << "\"";
    }
    os << "];\n";
  }

  void write_initializer(std::ostringstream& os, const std::string& indent, int variable) const {
    const std::string name = initializer_name(variable);
    const int count = has_initializer_.at(variable);
    os << indent << io::dot_quote(name) << " [label=\"Initializer\\n(" << count
       << (count == 1 ? " op" : " ops") << ")\", tooltip=" << io::dot_quote(name)
       << ", style=\"rounded,dashed\"];\n";
  }

  std::string initializer_name(int variable) const {
    return names_[static_cast<std::size_t>(variable)] + "/Initializer";
  }

  int index_of(const std::string& name) const { return index_.at(name); }

  // Where an op's edges attach: its own node, or its variable's collapsed initializer.
  std::string endpoint(int op) const {
    const int v = owner_[static_cast<std::size_t>(op)];
    return v < 0 ? names_[static_cast<std::size_t>(op)] : initializer_name(v);
  }

  // The variable (VariableV2 op) whose initializer op `name` belongs to, or -1.
  int initializer_owner(std::string_view name) const {
    auto variable = [&](std::string_view prefix) {
      auto it = index_.find(std::string(prefix));
      return it != index_.end() && ops_[static_cast<std::size_t>(it->second)].type() == "VariableV2"
                 ? it->second
                 : -1;
    };
    for (const std::string_view suffix : {"/Assign", "/initial_value"}) {
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
        if (const int v = variable(name.substr(0, name.size() - suffix.size())); v >= 0) return v;
      }
    }
    for (std::size_t at = name.find("/Initializer/"); at != std::string_view::npos;
         at = name.find("/Initializer/", at + 1)) {
      if (const int v = variable(name.substr(0, at)); v >= 0) return v;
    }
    return -1;
  }

  void find_initializers() {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const int v = initializer_owner(names_[i]);
      if (v < 0) continue;
      owner_[i] = v;
      ++has_initializer_[v];
    }
  }

  // A variable is shared when ops of two or more name scopes read it (directly or through
  // its "<v>/read"); its own Assign, read and initializer ops do not count.
  void find_shared() {
    std::unordered_map<int, std::set<std::string_view>> scopes;  // variable -> reader scopes
    std::unordered_map<int, std::vector<int>> readers;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const Operation& op = ops_[i];
      if (initializer_owner(names_[i]) >= 0) continue;
      for (int k = 0; k < op.num_inputs(); ++k) {
        int from = index_of(op.input(k).op().name());
        const std::string_view from_name = names_[static_cast<std::size_t>(from)];
        if (ops_[static_cast<std::size_t>(from)].type() == "Identity" && from_name.size() > 5 &&
            from_name.substr(from_name.size() - 5) == "/read") {
          from = index_.count(std::string(parent_path(from_name))) != 0
                     ? index_of(std::string(parent_path(from_name)))
                     : from;
        }
        if (ops_[static_cast<std::size_t>(from)].type() != "VariableV2") continue;
        if (names_[i] == names_[static_cast<std::size_t>(from)] + "/read") continue;
        if (op.type() == "IsVariableInitialized") continue;
        scopes[from].insert(parent_path(names_[i]));
        readers[from].push_back(static_cast<int>(i));
      }
    }
    for (const auto& [variable, in] : scopes) {
      if (in.size() < 2) continue;
      shared_[static_cast<std::size_t>(variable)] = true;
      const std::string read = names_[static_cast<std::size_t>(variable)] + "/read";
      if (auto it = index_.find(read); it != index_.end()) {
        shared_[static_cast<std::size_t>(it->second)] = true;
      }
      for (int r : readers[variable])
        shared_[static_cast<std::size_t>(r)] = true;
    }
  }

  const std::vector<Operation>& ops_;
  DotOptions options_;
  std::vector<int> owner_;    // per op: the variable whose collapsed initializer holds it, or -1
  std::vector<bool> shared_;  // per op: a shared variable, its read, or an op reading it
  std::unordered_map<int, int> has_initializer_;  // variable -> ops collapsed into it
  std::unordered_map<std::string, int> index_;    // op name -> index
  std::vector<std::string> names_;
  ScopeTree tree_;
  std::vector<Cluster> clusters_;
};

}  // namespace

std::string Graph::to_dot() const {
  return varscope::to_dot(*this, DotOptions{});
}

std::string to_dot(const Graph& graph, const DotOptions& options) {
  const std::vector<Operation> ops = graph.operations();
  return DotWriter(ops, options).write();
}

}  // namespace varscope
