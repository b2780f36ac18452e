// The seed's examples print exactly what TensorFlow prints (docs/tf1-semantics.md, EX1-EX3).
#include <gtest/gtest.h>

#include <sstream>

#include "seed_examples.h"

TEST(SeedExamples, SharingWithReusePrintsOneNameThreeTimes) {
  std::ostringstream out;
  examples::sharing_with_reuse(out);
  EXPECT_EQ(out.str(), "v_scope/Weights:0\nv_scope/Weights:0\nv_scope/Weights:0\n");
}

TEST(SeedExamples, VariableScopePrefixesBothKinds) {
  std::ostringstream out;
  examples::variable_scope_prefixes_both(out);
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with("V1/a1:0\nV1/a2:0\nV2/a1:0\nV2/a2:0\n")) << text;
  EXPECT_NE(text.find("V1/a1:0 = [1]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("V2/a1:0 = [1]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("V1/a2:0 = [["), std::string::npos) << text;
  EXPECT_NE(text.find("V2/a2:0 = [["), std::string::npos) << text;
}

TEST(SeedExamples, NameScopeDoesNotPrefixGetVariable) {
  std::ostringstream out;
  examples::name_scope_ignored_by_get_variable(out);
  const std::string text = out.str();
  const std::string expected_head =
      "a1:0\nV1/a2:0\nValueError: Variable a1 already exists, disallowed. Did you mean to set "
      "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n  File \"";
  ASSERT_EQ(text.substr(0, expected_head.size()), expected_head);
  EXPECT_NE(text.find("seed_examples.cpp\", line "), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\nV1/a2:0\nV2/a2:0\n")) << text;
}
