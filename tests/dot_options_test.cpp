// to_dot(graph, DotOptions): collapsed initializers and marked shared variables; default
// options give Graph::to_dot()'s text.
#include <gtest/gtest.h>

#include <string>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

// Two towers, one set of weights (tower/w, tower/b); tower/w's initializer is a
// random_uniform chain, tower/b's a Fill.
vs::Graph two_towers() {
  vs::Graph g;
  auto tower = [&g](const vs::Tensor& x) {
    auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
    vs::Variable w = g.get_variable("w", {.shape = vs::Shape{4, 3}});
    vs::Variable b =
        g.get_variable("b", {.shape = vs::Shape{3}, .initializer = vs::zeros_initializer()});
    return vs::bias_add(vs::matmul(x, w), b);
  };
  tower(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "query"));
  tower(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "item"));
  g.get_variable("alone", {.shape = vs::Shape{3}});
  g.global_variables_initializer();
  return g;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DotOptions, DefaultOptionsGiveToDotsText) {
  const vs::Graph g = two_towers();
  EXPECT_EQ(vs::to_dot(g, {}), g.to_dot());
}

TEST(DotOptions, CollapsedInitializersAreOneNodePerVariable) {
  const vs::Graph g = two_towers();
  const std::string full = g.to_dot();
  const std::string dot = vs::to_dot(g, {.collapse_initializers = true});
  ASSERT_TRUE(contains(full, "\"tower/w/Initializer/random_uniform/RandomUniform\""));
  EXPECT_FALSE(contains(dot, "random_uniform")) << dot;
  EXPECT_FALSE(contains(dot, "\"tower/w/Assign\"")) << dot;
  EXPECT_FALSE(contains(dot, "cluster_tower/w/Initializer")) << dot;
  EXPECT_TRUE(contains(dot, "\"tower/w/Initializer\" [label=\"Initializer\\n(")) << dot;
  // Its edges: into the variable once, and on to the init op (the Assign's control edge).
  EXPECT_TRUE(contains(dot, "\"tower/w\" -> \"tower/w/Initializer\"")) << dot;
  EXPECT_TRUE(contains(dot, "\"tower/w/Initializer\" -> \"init\" [style=dashed];")) << dot;
  EXPECT_TRUE(contains(dot, "\"tower/b/Initializer\"")) << dot;
  EXPECT_TRUE(contains(dot, "\"alone/Initializer\"")) << dot;
  EXPECT_LT(dot.size(), full.size() / 2 + full.size() / 4);
}

TEST(DotOptions, SharedVariablesAndTheirReadersAreMarked) {
  const vs::Graph g = two_towers();
  const std::string dot = vs::to_dot(g, {.mark_shared_variables = true});
  EXPECT_TRUE(contains(dot,
                       "\"tower/w\" [label=\"w\\n(VariableV2)\", tooltip=\"tower/w\", "
                       "shape=ellipse, style=\"\", color=\"#d62728\", penwidth=2"))
      << dot;
  EXPECT_TRUE(contains(dot,
                       "\"tower/MatMul\" [label=\"MatMul\\n(MatMul)\", tooltip=\"tower/"
                       "MatMul\", color=\"#d62728\"]"))
      << dot;
  EXPECT_TRUE(contains(dot,
                       "\"tower_1/MatMul\" [label=\"MatMul\\n(MatMul)\", tooltip=\"tower_1/"
                       "MatMul\", color=\"#d62728\"]"))
      << dot;
  // A variable read in one scope only is not shared.
  EXPECT_TRUE(contains(dot,
                       "\"alone\" [label=\"alone\\n(VariableV2)\", tooltip=\"alone\", "
                       "shape=ellipse, style=\"\"];"))
      << dot;
}

}  // namespace
