// Bad input, lifetimes: handles of destroyed graphs, moved-from graphs and sessions.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "bad_input_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace bad_input_test;  // NOLINT: the fixture and helpers of bad_input_test.h

namespace {

std::string TypeName(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : type.name();
}

// For the calls that crash today: runs f in a death-test child, so that a crash fails this
// test only. The child exits 0 when f threw E, 1 for anything else it threw, 2 when f
// returned; a crash shows as "Terminated by signal N".
template <typename E, typename F>
[[noreturn]] void ExitWithOutcome(F&& f) {
  try {
    f();
  } catch (const E& e) {
    std::fprintf(stderr, "threw the expected class: %s\n", e.what());
    std::_Exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threw %s: %s\n", TypeName(typeid(e)).c_str(), e.what());
    std::_Exit(1);
  }
  std::fprintf(stderr, "did not throw\n");
  std::_Exit(2);
}

void UseThreadsafeDeathTests() {
#ifdef GTEST_FLAG_SET
  GTEST_FLAG_SET(death_test_style, "threadsafe");
#else
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
#endif
}

}  // namespace

// ================================ lifetimes ===============================

TEST_F(BadInput, HandlesOfADestroyedGraph) {
  vs::Variable v;
  vs::Tensor t;
  vs::Operation op;
  vs::VariableScope scope;
  {
    vs::Graph gone;
    auto s = gone.variable_scope("gone");
    scope = s;
    v = gone.get_variable("v", {.shape = vs::Shape{3}});
    t = v.value();
    op = v.initializer();
  }
  const std::string dead = "The graph of this handle has been destroyed";
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)v.name(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)t.shape(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)op.name(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)v.graph(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)(b_ + v); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { vs::assign(v, 1.0f); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { g_.variable(t); }), dead);
  EXPECT_EQ(
      error_of<vs::FailedPreconditionError>([&] { g_.get_variable("v", {.initializer = t}); }),
      dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { g_.variables_initializer({v}); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(v); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(t); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(op); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] {
              sess_->load_variable(v, Floats({1, 2, 3}, vs::Shape{3}));
            }),
            dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>(
                [&] { vs::Saver(g_, {.variables = std::vector<vs::Variable>{v}}); }),
            dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { auto s = g_.variable_scope(scope); }),
            "The graph of variable scope 'gone' has been destroyed");
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { scope.global_variables(); }),
            "The graph of variable scope 'gone' has been destroyed");
  EXPECT_TRUE(Intact());
}

// Not an error: a Session keeps its graph alive after the last Graph handle is gone.
TEST(BadInputLifetime, SessionWhoseGraphHandleIsDestroyedKeepsWorking) {
  std::optional<vs::Session> sess;
  vs::Variable v;
  vs::Tensor x, y;
  {
    vs::Graph g;
    v = g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::constant_initializer(3)});
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
    y = x * v;
    sess.emplace(g, kCpu);
  }
  sess->run(v.initializer());
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(sess->run(y, {{x, Floats({1, 2}, vs::Shape{2})}}), Floats({3, 6}, vs::Shape{2}));
  // Building goes on through a handle's graph().
  vs::Graph again = v.graph();
  vs::Variable w =
      again.get_variable("w", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  sess->run(w.initializer());
  EXPECT_EQ(sess->run(vs::add(w, v)), Floats({4, 4}, vs::Shape{2}));
}

// A moved-from Graph is a handle without a graph: like a handle of a destroyed graph, its
// use must throw vs::FailedPreconditionError, never dereference null (it crashes today).
TEST(BadInputLifetime, MovedFromGraphThrowsInsteadOfCrashing) {
  UseThreadsafeDeathTests();
  auto moved_from = [] {
    auto g = std::make_unique<vs::Graph>();
    vs::Graph keep = std::move(*g);
    (void)keep;
    return g;
  };
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>(
                  [&] { moved_from()->get_variable("v", {.shape = vs::Shape{1}}); }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  EXPECT_EXIT(
      ExitWithOutcome<vs::FailedPreconditionError>([&] { (void)moved_from()->num_operations(); }),
      ::testing::ExitedWithCode(0), "threw the expected class");
  // A session on it: refused when it is made, not left to crash later.
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>([&] {
                auto g = moved_from();
                vs::Session s(*g, kCpu);
                s.report_uninitialized_variables();
              }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  // The graph it was moved into works.
  vs::Graph g;
  vs::Graph moved = std::move(g);
  vs::Variable v =
      moved.get_variable("v", {.shape = vs::Shape{1}, .initializer = vs::ones_initializer()});
  vs::Session sess(moved, kCpu);
  sess.run(v.initializer());
  EXPECT_EQ(sess.run(v), Floats({1}, vs::Shape{1}));
}

// Same for a moved-from Session (it crashes today).
TEST(BadInputLifetime, MovedFromSessionThrowsInsteadOfCrashing) {
  UseThreadsafeDeathTests();
  vs::Graph g;
  vs::Tensor c = vs::constant(g, 2.0f);
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>([&] {
                vs::Session s(g, kCpu);
                vs::Session keep = std::move(s);
                s.run(c);
              }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  vs::Session s(g, kCpu);
  vs::Session moved = std::move(s);
  EXPECT_EQ(moved.run(c), vs::HostTensor(2.0f));
}
