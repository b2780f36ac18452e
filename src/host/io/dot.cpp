// Graph::to_dot: Graphviz DOT with one cluster per name scope, nested as the scopes are, like
// TensorBoard's grouping. An op whose name is itself a scope of other ops ("v/Weights" and
// "v/Weights/read") sits inside that scope's cluster, as TensorBoard draws it. Data edges
// are solid and labelled with the tensor's shape; control edges are dashed. The output
// depends only on the graph: ops in creation order, clusters in order of first use.
// Clusters nest at most kMaxClusterDepth deep.
#include "host/io/dot.h"

#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
};

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
  explicit DotWriter(const std::vector<Operation>& ops) : ops_(ops) {
    names_.reserve(ops.size());
    for (const Operation& op : ops)
      names_.push_back(op.name());
    std::vector<int> node_of(names_.size());
    for (std::size_t i = 0; i < names_.size(); ++i)
      node_of[i] = tree_.insert(names_[i]);
    clusters_.push_back(Cluster{});
    tree_[0].cluster = 0;
    // An op whose name is itself a scope sits in that scope's cluster; clusters are made in
    // order of first use.
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const ScopeTree::Node& n = tree_[node_of[i]];
      const int home = n.has_children ? node_of[i] : n.parent;
      clusters_[static_cast<std::size_t>(cluster(home))].ops.push_back(static_cast<int>(i));
    }
  }

  std::string write() const {
    std::ostringstream os;
    os << "digraph G {\n";
    os << "  node [shape=box, style=rounded, fontsize=10];\n";
    os << "  edge [fontsize=8];\n";
    write_clusters(os);
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const Operation& op = ops_[i];
      const std::string to = io::dot_quote(names_[i]);
      for (int k = 0; k < op.num_inputs(); ++k) {
        const Tensor t = op.input(k);
        os << "  " << io::dot_quote(t.op().name()) << " -> " << to
           << " [label=" << io::dot_quote(t.shape().to_list_string())
           << ", tooltip=" << io::dot_quote(t.name()) << "];\n";
      }
      for (const Operation& c : op.control_inputs()) {
        os << "  " << io::dot_quote(c.name()) << " -> " << to << " [style=dashed];\n";
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
      clusters_.push_back(Cluster{n.path, {}, {}});
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
      stack.pop_back();
      if (!stack.empty()) os << std::string(2 * stack.size(), ' ') << "}\n";
    }
  }

  void write_op(std::ostringstream& os, const std::string& indent, int i) const {
    const std::string& name = names_[static_cast<std::size_t>(i)];
    const std::string type = ops_[static_cast<std::size_t>(i)].type();
    // Label: the short name, a line break, then the op type in parentheses.
    std::string label;
    label.push_back('"');
    label.append(io::dot_escape(last_component(name)));
    label.append("\\n(");
    label.append(io::dot_escape(type));
    label.append(")\"");
    os << indent << io::dot_quote(name) << " [label=" << label
       << ", tooltip=" << io::dot_quote(name);
    if (type == "VariableV2") os << ", shape=ellipse, style=\"\"";
    os << "];\n";
  }

  const std::vector<Operation>& ops_;
  std::vector<std::string> names_;
  ScopeTree tree_;
  std::vector<Cluster> clusters_;
};

}  // namespace

std::string Graph::to_dot() const {
  const std::vector<Operation> ops = operations();
  return DotWriter(ops).write();
}

}  // namespace varscope
