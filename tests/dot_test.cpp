// Graph::to_dot: one cluster per name scope, nested like the scopes; every op once; data
// edges solid, control edges dashed; deterministic; and Graphviz's `dot` renders it.
#include "host/io/dot.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

// The seed's example 1 and 2 in one graph, plus an initializer with control inputs.
vs::Graph make_graph() {
  vs::Graph g;
  g.set_random_seed(1);
  {
    auto s = g.variable_scope("v_scope");
    g.get_variable("Weights", {.shape = vs::Shape{2, 3}});
    g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  {
    auto s = g.variable_scope("V1");
    g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
  }
  g.global_variables_initializer();
  return g;
}

// Where each node is declared: node name -> path of enclosing clusters ("" at top level).
struct Layout {
  std::map<std::string, std::string> cluster_of;
  std::map<std::string, int> declarations;
  std::map<std::string, std::string> parent_cluster;  // cluster -> enclosing cluster
  std::vector<std::string> edges;                     // "a -> b" lines, attributes included
};

std::string unquote(const std::string& s) {
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    out += s[i];
  }
  return out;
}

// A first quoted string of a line.
std::string first_quoted(const std::string& line) {
  const std::size_t a = line.find('"');
  std::size_t b = a + 1;
  while (b < line.size() && line[b] != '"')
    b += line[b] == '\\' ? 2 : 1;
  return line.substr(a, b - a + 1);
}

Layout parse(const std::string& dot) {
  Layout layout;
  std::vector<std::string> stack{""};
  std::istringstream in(dot);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    const std::string body = line.substr(start);
    if (body.rfind("subgraph ", 0) == 0) {
      std::string name = unquote(first_quoted(body));
      name = name.substr(std::string("cluster_").size());
      layout.parent_cluster[name] = stack.back();
      stack.push_back(name);
    } else if (body == "}") {
      stack.pop_back();
    } else if (body[0] == '"' && body.find(" -> ") != std::string::npos) {
      layout.edges.push_back(body);
    } else if (body[0] == '"') {
      const std::string name = unquote(first_quoted(body));
      layout.cluster_of[name] = stack.back();
      ++layout.declarations[name];
    }
  }
  return layout;
}

bool has_line(const std::vector<std::string>& lines, const std::string& wanted) {
  for (const std::string& l : lines) {
    if (l == wanted) return true;
  }
  return false;
}

bool dot_installed() {
  return std::system("command -v dot > /dev/null 2>&1") == 0;
}

}  // namespace

TEST(GraphDot, OneClusterPerNameScopeNestedAsTheScopes) {
  const vs::Graph g = make_graph();
  const Layout layout = parse(g.to_dot());
  // A variable's own ops group under it, inside its variable scope (TensorBoard's grouping).
  EXPECT_EQ(layout.cluster_of.at("v_scope/Weights"), "v_scope/Weights");
  EXPECT_EQ(layout.cluster_of.at("v_scope/Weights/read"), "v_scope/Weights");
  EXPECT_EQ(layout.cluster_of.at("v_scope/Weights/Assign"), "v_scope/Weights");
  EXPECT_EQ(layout.parent_cluster.at("v_scope/Weights"), "v_scope");
  EXPECT_EQ(layout.parent_cluster.at("v_scope"), "");
  EXPECT_EQ(layout.parent_cluster.at("v_scope/Weights/Initializer"), "v_scope/Weights");
  EXPECT_EQ(layout.cluster_of.at("V1/a2"), "V1/a2");
  EXPECT_EQ(layout.parent_cluster.at("V1/a2"), "V1");
  // Root-level ops sit outside every cluster.
  EXPECT_EQ(layout.cluster_of.at("init"), "");
  // A scope's cluster is labelled with its last component.
  EXPECT_NE(g.to_dot().find("subgraph \"cluster_v_scope/Weights\" {\n      label=\"Weights\";"),
            std::string::npos);
}

TEST(GraphDot, EveryOpOnceWithItsTypeAndItsEdges) {
  const vs::Graph g = make_graph();
  const std::string dot = g.to_dot();
  const Layout layout = parse(dot);
  EXPECT_EQ(layout.declarations.size(), g.num_operations());
  for (const vs::Operation& op : g.operations()) {
    EXPECT_EQ(layout.declarations.count(op.name()) ? layout.declarations.at(op.name()) : 0, 1)
        << op.name();
  }
  EXPECT_NE(dot.find("\"v_scope/Weights\" [label=\"Weights\\n(VariableV2)\", "
                     "tooltip=\"v_scope/Weights\", shape=ellipse"),
            std::string::npos)
      << dot;
  // Data edges carry the shape; control edges are dashed.
  EXPECT_TRUE(has_line(layout.edges,
                       "\"v_scope/Weights\" -> \"v_scope/Weights/read\" [label=\"[2,3]\", "
                       "tooltip=\"v_scope/Weights:0\"];"))
      << dot;
  EXPECT_TRUE(has_line(layout.edges, "\"v_scope/Weights/Assign\" -> \"init\" [style=dashed];"))
      << dot;
  EXPECT_TRUE(has_line(layout.edges, "\"V1/a2/Assign\" -> \"init\" [style=dashed];")) << dot;
  std::size_t data_edges = 0, control_edges = 0;
  for (const vs::Operation& op : g.operations()) {
    data_edges += static_cast<std::size_t>(op.num_inputs());
    control_edges += op.control_inputs().size();
  }
  EXPECT_EQ(layout.edges.size(), data_edges + control_edges);
}

TEST(GraphDot, OutputIsDeterministic) {
  const std::string a = make_graph().to_dot();
  EXPECT_EQ(a, make_graph().to_dot());
  const vs::Graph g = make_graph();
  EXPECT_EQ(g.to_dot(), g.to_dot());
  EXPECT_EQ(vs::Graph().to_dot(),
            "digraph G {\n  node [shape=box, style=rounded, fontsize=10];\n"
            "  edge [fontsize=8];\n}\n");
}

TEST(GraphDot, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(vs::io::dot_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(vs::io::dot_quote("v_scope/Weights-1.x"), "\"v_scope/Weights-1.x\"");
}

TEST(GraphDot, GraphvizRendersIt) {
  if (!dot_installed()) GTEST_SKIP() << "Graphviz `dot` not found on PATH";
  const vs::testing::TempDir dir;
  vs::testing::write_bytes(dir.file("g.dot"), make_graph().to_dot());
  const std::string command = "dot -Tsvg '" + dir.file("g.dot") + "' -o '" + dir.file("g.svg") +
                              "' 2> '" + dir.file("err.txt") + "'";
  const int status = std::system(command.c_str());
  const std::string svg = vs::testing::read_bytes(dir.file("g.svg"));
  const std::string err = vs::testing::read_bytes(dir.file("err.txt"));
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(err, "");  // no syntax warnings either
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("<title>cluster_v_scope/Weights</title>"), std::string::npos);
}

// One legal name of 60,000 components: no recursion on its depth, no output quadratic in its
// length; clusters stop nesting at 64 levels and the op keeps its full name.
TEST(GraphDot, DeepNamesNestAtMost64ClustersDeep) {
  vs::Graph g;
  std::string deep;
  for (int i = 0; i < 60000; ++i)
    deep += "s/";
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{1}, deep + "x");
  vs::identity(x, deep + "y");
  const std::string dot = g.to_dot();
  EXPECT_LT(dot.size(), 64 * 4 * deep.size());
  EXPECT_NE(dot.find(vs::Tensor(x).op().name()), std::string::npos);
  std::size_t clusters = 0;
  for (std::size_t at = dot.find("subgraph"); at != std::string::npos;
       at = dot.find("subgraph", at + 1))
    ++clusters;
  EXPECT_EQ(clusters, 64u);
}
