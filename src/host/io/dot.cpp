// Graph::to_dot: Graphviz DOT with one cluster per name scope, nested as the scopes are, like
// TensorBoard's grouping. An op whose name is itself a scope of other ops ("v/Weights" and
// "v/Weights/read") sits inside that scope's cluster, as TensorBoard draws it. Data edges
// are solid and labelled with the tensor's shape; control edges are dashed. The output
// depends only on the graph: ops in creation order, clusters in order of first use.
#include "host/io/dot.h"

#include <map>
#include <set>
#include <sstream>
#include <string>
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

struct Cluster {
  std::string path;  // "v_scope/Weights"; "" for the graph itself
  std::vector<int> clusters;
  std::vector<int> ops;
};

std::string last_component(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_path(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

class DotWriter {
 public:
  explicit DotWriter(const std::vector<Operation>& ops) : ops_(ops) {
    names_.reserve(ops.size());
    for (const Operation& op : ops)
      names_.push_back(op.name());
    std::set<std::string> scopes;
    for (const std::string& name : names_) {
      for (std::string p = parent_path(name); !p.empty(); p = parent_path(p))
        scopes.insert(p);
    }
    clusters_.push_back(Cluster{});
    index_[""] = 0;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const std::string& name = names_[i];
      const std::string home = scopes.count(name) ? name : parent_path(name);
      clusters_[static_cast<std::size_t>(cluster(home))].ops.push_back(static_cast<int>(i));
    }
  }

  std::string write() const {
    std::ostringstream os;
    os << "digraph G {\n";
    os << "  node [shape=box, style=rounded, fontsize=10];\n";
    os << "  edge [fontsize=8];\n";
    write_cluster(os, 0, 1);
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
  int cluster(const std::string& path) {
    const auto it = index_.find(path);
    if (it != index_.end()) return it->second;
    const int parent = cluster(parent_path(path));
    const int id = static_cast<int>(clusters_.size());
    clusters_.push_back(Cluster{path, {}, {}});
    clusters_[static_cast<std::size_t>(parent)].clusters.push_back(id);
    index_[path] = id;
    return id;
  }

  void write_cluster(std::ostringstream& os, int id, int depth) const {
    const Cluster& c = clusters_[static_cast<std::size_t>(id)];
    const std::string indent(static_cast<std::size_t>(2 * depth), ' ');
    for (int child : c.clusters) {
      const Cluster& cc = clusters_[static_cast<std::size_t>(child)];
      os << indent << "subgraph " << io::dot_quote("cluster_" + cc.path) << " {\n";
      os << indent << "  label=" << io::dot_quote(last_component(cc.path)) << ";\n";
      os << indent << "  tooltip=" << io::dot_quote(cc.path) << ";\n";
      write_cluster(os, child, depth + 1);
      os << indent << "}\n";
    }
    for (int i : c.ops) {
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
  }

  const std::vector<Operation>& ops_;
  std::vector<std::string> names_;
  std::vector<Cluster> clusters_;
  std::map<std::string, int> index_;
};

}  // namespace

std::string Graph::to_dot() const {
  const std::vector<Operation> ops = operations();
  return DotWriter(ops).write();
}

}  // namespace varscope
