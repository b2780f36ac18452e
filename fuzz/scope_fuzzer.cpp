// libFuzzer target: random sequences of name_scope / variable_scope / get_variable /
// Variable / constant calls, exits in and out of order. Errors are fine (that is the
// point); afterwards the graph must still satisfy its invariants:
//   - op names are unique and valid node names,
//   - every variable's op exists, is a VariableV2, and is named "<op>:0",
//   - collections hold no duplicates,
//   - with every guard closed, the graph is back at the root scope,
//   - a call that throws adds no operation and no variable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Names from a small alphabet so that collisions, case clashes and "_N" suffixes happen.
std::string name(Input& in) {
  static const char* const kNames[] = {"a", "A",  "a_1", "b",   "V1", "v1",  "layer", "foo/bar",
                                       "",  "x/", "_x",  "a b", "w",  "w_1", ".",     "c-d"};
  return kNames[in.byte() % 16];
}

vs::Reuse reuse(Input& in) {
  static const vs::Reuse kReuse[] = {vs::Reuse::kInherit, vs::Reuse::kFalse, vs::Reuse::kTrue,
                                     vs::Reuse::kAuto};
  return kReuse[in.byte() % 4];
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "invariant violated: %s\n", what.c_str());
  std::abort();
}

bool valid_node_name(const std::string& n) {
  if (n.empty()) return false;
  auto ok = [](char c, bool first) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return first ? (alnum || c == '.') : (alnum || c == '_' || c == '.' || c == '-' || c == '/');
  };
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!ok(n[i], i == 0)) return false;
  }
  return true;
}

void check_invariants(const vs::Graph& g) {
  std::set<std::string> names;
  for (const vs::Operation& op : g.operations()) {
    if (!names.insert(op.name()).second) fail("duplicate op name " + op.name());
    if (!valid_node_name(op.name())) fail("invalid op name '" + op.name() + "'");
  }
  for (const char* key : {vs::GraphKeys::kGlobalVariables, vs::GraphKeys::kTrainableVariables,
                          vs::GraphKeys::kLocalVariables}) {
    std::set<int> ids;
    for (const vs::Variable& v : g.get_collection(key)) {
      if (!ids.insert(v.id()).second) fail(std::string("duplicate variable in ") + key);
      if (v.op().type() != "VariableV2")
        fail("variable op " + v.op_name() + " is " + v.op().type());
      if (g.get_operation_by_name(v.op_name()) != v.op()) fail("lookup of " + v.op_name());
      if (v.name() != v.op_name() + ":0") fail("variable name " + v.name());
    }
  }
}

using Guard = std::variant<vs::NameScope, vs::VariableScopeGuard>;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  vs::Graph g;
  std::vector<std::unique_ptr<Guard>> guards;
  std::vector<vs::VariableScope> captured;
  // Enough steps for scopes a few hundred deep (the corpus has such seeds).
  for (int step = 0; step < 1024 && !in.empty(); ++step) {
    const std::size_t ops_before = g.num_operations();
    const std::size_t variables_before = g.get_collection(vs::GraphKeys::kGlobalVariables).size();
    try {
      switch (in.byte() % 9) {
        case 0:
          guards.push_back(std::make_unique<Guard>(g.name_scope(name(in))));
          break;
        case 1: {
          auto s = g.variable_scope(name(in), {.reuse = reuse(in)});
          captured.push_back(s);
          guards.push_back(std::make_unique<Guard>(std::move(s)));
          break;
        }
        case 2:
          if (!captured.empty()) {
            const vs::VariableScope& c = captured[in.byte() % captured.size()];
            guards.push_back(std::make_unique<Guard>(g.variable_scope(
                c, {.reuse = reuse(in), .auxiliary_name_scope = in.byte() % 2 == 0})));
          }
          break;
        case 3:
          guards.push_back(std::make_unique<Guard>(
              g.variable_scope(std::nullopt, {.default_name = name(in), .reuse = reuse(in)})));
          break;
        case 4:
          g.get_variable(name(in), {.shape = vs::Shape{1 + in.byte() % 3}});
          break;
        case 5:
          g.variable(1.0f, {.name = name(in)});
          break;
        case 6:
          vs::constant(g, 2.0f, {.name = name(in)});
          break;
        case 7:
          if (!guards.empty()) {  // close one guard, possibly not the innermost
            guards.erase(guards.begin() + static_cast<std::ptrdiff_t>(in.byte() % guards.size()));
          }
          break;
        case 8:
          g.get_variable_scope().reuse_variables();
          break;
      }
    } catch (const vs::Error&) {
      // Invalid names, reuse violations, improper nesting: errors, not crashes; and a failed
      // call leaves the graph as it was (docs/differences.md).
      if (g.num_operations() != ops_before) fail("a failed call left operations behind");
      if (g.get_collection(vs::GraphKeys::kGlobalVariables).size() != variables_before) {
        fail("a failed call left a variable behind");
      }
    }
    check_invariants(g);
  }
  while (!guards.empty())
    guards.pop_back();
  try {
    g.unique_name("probe", false);  // reports (and clears) an improper nesting, if any
  } catch (const vs::RuntimeError&) {
  }
  if (!g.get_name_scope().empty()) fail("name scope not back at the root: " + g.get_name_scope());
  if (!g.get_variable_scope().name().empty()) fail("variable scope not back at the root");
  check_invariants(g);
  return 0;
}
