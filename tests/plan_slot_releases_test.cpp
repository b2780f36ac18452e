// When a CPU run drops its values (slot_releases.cpp): each slot after the last step that
// reads it, a value no step reads right after the step that makes it, a fetched value never;
// and the values a run fetches are those of a run that keeps everything (the same graph with
// every value fetched).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "host/runtime/plan.h"
#include "plan_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using plan_test::plan_of;
using plan_test::values;

// The name of the step after which each (node name, output) is dropped; absent: never.
std::map<std::string, std::string> drops(const vs::Graph& g, const d::Plan& plan) {
  const d::GraphImpl& graph = *d::Access::impl(g);
  std::map<int, std::string> made_by;  // slot -> the node that makes it
  for (const d::Step& s : plan.steps) {
    if (s.output >= 0 && !s.device_copy) made_by[s.output] = graph.node(s.node).name;
  }
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    for (int slot : plan.release_after[i]) {
      if (made_by.contains(slot)) out[made_by[slot]] = graph.node(plan.steps[i].node).name;
    }
  }
  return out;
}

TEST(PlannerSlotReleases, EachValueGoesAfterItsLastReaderAndFetchesStay) {
  vs::Graph g;
  const vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "a");
  const vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "b");
  const vs::Tensor y = vs::multiply(a, b, "y");         // read by z and w
  const vs::Tensor z = vs::add(y, a, "z");              // read by w
  const vs::Tensor unread = vs::negative(z, "unread");  // read by nothing, run by the target
  const vs::Tensor w = vs::multiply(y, z, "w");         // fetched
  const vs::FeedDict feeds{{a, plan_test::integers(vs::Shape{4}, 1)},
                           {b, plan_test::integers(vs::Shape{4}, 2)}};
  const d::Plan plan = plan_of(g, {w}, feeds, {unread.op()});
  ASSERT_EQ(plan.release_after.size(), plan.steps.size());
  const std::map<std::string, std::string> got = drops(g, plan);
  EXPECT_EQ(got.at("y"), "w");
  EXPECT_EQ(got.at("unread"), "unread");
  EXPECT_FALSE(got.contains("w"));
  // z: its last reader is whichever of `unread` and `w` runs later.
  std::size_t at_unread = 0, at_w = 0;
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const std::string& name = d::Access::impl(g)->node(plan.steps[i].node).name;
    if (name == "unread") at_unread = i;
    if (name == "w") at_w = i;
  }
  EXPECT_EQ(got.at("z"), at_w > at_unread ? "w" : "unread");

  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const std::vector<vs::HostTensor> dropped = sess.run(std::vector<vs::Tensor>{w}, feeds);
  const std::vector<vs::HostTensor> kept = sess.run(std::vector<vs::Tensor>{w, y, z}, feeds);
  EXPECT_EQ(values(dropped[0]), values(kept[0]));
}

}  // namespace
