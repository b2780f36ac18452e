// The graph's open-addressing name table: what std::unordered_map would answer, over growth.
#include "host/graph/name_table.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <unordered_map>

namespace {

using varscope::detail::NameTable;

TEST(NameTable, EmptyTableFindsNothing) {
  const NameTable t;
  EXPECT_EQ(t.find("a"), nullptr);
  EXPECT_EQ(t.find(""), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

TEST(NameTable, TryEmplaceInsertsOnceAndKeepsTheFirstValue) {
  NameTable t;
  auto [a, inserted] = t.try_emplace("a", 1);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(*a, 1);
  auto [again, inserted_again] = t.try_emplace("a", 2);
  EXPECT_FALSE(inserted_again);
  EXPECT_EQ(*again, 1);
  *again = 7;  // values are writable in place (names_in_use counts)
  EXPECT_EQ(*t.find("a"), 7);
  EXPECT_EQ(t.size(), 1u);
}

TEST(NameTable, EmptyAndPrefixKeysAreDistinct) {
  NameTable t;
  t.try_emplace("", 1);
  t.try_emplace("a", 2);
  t.try_emplace("a/b", 3);
  t.try_emplace("A", 4);  // case-sensitive: names_in_use lower-cases before it asks
  EXPECT_EQ(*t.find(""), 1);
  EXPECT_EQ(*t.find("a"), 2);
  EXPECT_EQ(*t.find("a/b"), 3);
  EXPECT_EQ(*t.find("A"), 4);
  EXPECT_EQ(t.find("a/"), nullptr);
  EXPECT_EQ(t.size(), 4u);
}

// Many growths: every key keeps its value and absent keys stay absent, as in a std map.
TEST(NameTable, AgreesWithUnorderedMapOverManyGrowths) {
  std::deque<std::string> keys;  // stable storage: the table keeps views
  std::unordered_map<std::string, int> reference;
  NameTable t;
  for (int i = 0; i < 100000; ++i) {
    keys.push_back("block_" + std::to_string(i % 97) + "/w_" + std::to_string(i));
    ASSERT_TRUE(t.try_emplace(keys.back(), i).second);
    reference.emplace(keys.back(), i);
  }
  EXPECT_EQ(t.size(), reference.size());
  for (const auto& [key, value] : reference) {
    const int* found = t.find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, value) << key;
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(t.contains("block_0/x_" + std::to_string(i)));
  }
}

}  // namespace
