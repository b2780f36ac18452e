// The three examples EX1-EX3 of docs/tf1-semantics.md: the graphs examples/seed_examples.cpp
// builds, against TF's names.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "seed_examples.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::Names;

}  // namespace

// =============================================================================================
// The three examples (EX1-EX3, docs/tf1-semantics.md section 9)
// =============================================================================================

TEST(DesignExamples, Example1_SharingThroughVariableScopeAndReuse) {
  vs::Graph g;
  const auto [w1, b1, w2, w3] = examples::share_weights_with_reuse(g);
  EXPECT_EQ(w1.name(), "v_scope/Weights:0");
  EXPECT_EQ(w2.name(), "v_scope/Weights:0");
  EXPECT_EQ(w3.name(), "v_scope/Weights:0");
  EXPECT_EQ(b1.name(), "v_scope/bias:0");
  EXPECT_TRUE(w1 == w2);
  EXPECT_TRUE(w1 == w3);
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"v_scope/Weights:0", "v_scope/bias:0"}));
}

TEST(DesignExamples, Example2_VariableScopePrefixesBothKinds) {
  vs::Graph g;
  const auto [a1, a2, a3, a4] = examples::variables_in_two_variable_scopes(g);
  EXPECT_EQ(a1.name(), "V1/a1:0");
  EXPECT_EQ(a2.name(), "V1/a2:0");
  EXPECT_EQ(a3.name(), "V2/a1:0");
  EXPECT_EQ(a4.name(), "V2/a2:0");
  EXPECT_EQ(a2.initial_value().name(), "V1/random_normal:0");
  EXPECT_EQ(a2.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"V1/a1:0", "V1/a2:0", "V2/a1:0", "V2/a2:0"}));
  vs::Operation init = g.global_variables_initializer();
  EXPECT_EQ(init.name(), "init");
  EXPECT_EQ(init.type(), "NoOp");
  std::vector<std::string> deps;
  for (const vs::Operation& op : init.control_inputs())
    deps.push_back(op.name());
  std::sort(deps.begin(), deps.end());
  EXPECT_EQ(deps, (std::vector<std::string>{"V1/a1/Assign", "V1/a2/Assign", "V2/a1/Assign",
                                            "V2/a2/Assign"}));
}

TEST(DesignExamples, Example3_NameScopeDoesNotPrefixGetVariable) {
  {
    vs::Graph g2;
    const vs::GetVariableOptions one{.shape = vs::Shape{1},
                                     .initializer = vs::constant_initializer(1)};
    int line = 0;
    {
      auto s = g2.name_scope("V1");
      line = __LINE__ + 1;
      vs::Variable a1 = g2.get_variable("a1", one);
      vs::Variable a2 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
      EXPECT_EQ(a1.name(), "a1:0");
      EXPECT_EQ(a2.name(), "V1/a2:0");
    }
    {
      auto s = g2.name_scope("V2");
      ExpectAlreadyExists(error_of<vs::ValueError>([&] { g2.get_variable("a1", one); }), "a1",
                          line);
    }
  }
  {
    // With get_variable removed.
    vs::Graph g2;
    const auto [a2, a4] = examples::variables_in_two_name_scopes(g2);
    EXPECT_EQ(a2.name(), "V1/a2:0");
    EXPECT_EQ(a4.name(), "V2/a2:0");
  }
}
