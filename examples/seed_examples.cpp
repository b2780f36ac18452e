#include "seed_examples.h"

#include <varscope/varscope.h>

namespace vs = varscope;

namespace examples {

SharedWeights share_weights_with_reuse(vs::Graph& g) {
  SharedWeights v;
  {
    auto s1 = g.variable_scope("v_scope");
    v.w1 = g.get_variable("Weights", {.shape = vs::Shape{2, 3}});
    v.b1 = g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  {
    auto s2 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    v.w2 = g.get_variable("Weights");
  }
  {
    auto s3 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    v.w3 = g.get_variable("Weights");
  }
  return v;
}

// TF prints v_scope/Weights:0 three times: one variable.
void sharing_with_reuse(std::ostream& out) {
  vs::Graph g;
  const SharedWeights v = share_weights_with_reuse(g);
  out << v.w1.name() << "\n" << v.w2.name() << "\n" << v.w3.name() << "\n";
}

// The names, then the values a session initializes them to.
void variable_scope_prefixes_both(std::ostream& out) {
  vs::Graph g;
  g.set_random_seed(1234);  // the same values on every run and on CPU and GPU alike
  const ScopedVariables v = variables_in_two_variable_scopes(g);
  out << v.a1.name() << "\n" << v.a2.name() << "\n" << v.a3.name() << "\n" << v.a4.name() << "\n";
  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  out << "values on " << sess.device_description() << ":\n";
  for (const vs::Variable& a : {v.a1, v.a2, v.a3, v.a4}) {
    out << a.name() << " = " << sess.run(a).to_string() << "\n";
  }
}

// Example 3 prints TF's "Originally defined at" traceback: the file, line and function of
// its first get_variable call (line 56 here). Code added or removed above that call changes
// the printed line, and so the demo's output.
void name_scope_ignored_by_get_variable(std::ostream& out) {
  vs::Graph g;
  {
    auto s = g.name_scope("V1");
    vs::Variable a1 =
        g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    vs::Variable a2 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
    out << a1.name() << "\n" << a2.name() << "\n";
  }
  try {
    auto s = g.name_scope("V2");
    g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
  } catch (const vs::ValueError& e) {
    out << "ValueError: " << e.what();
  }
  // Without get_variable, tf.Variable alone follows the name scopes.
  vs::Graph g2;
  const NameScopedVariables b = variables_in_two_name_scopes(g2);
  out << b.in_v1.name() << "\n" << b.in_v2.name() << "\n";
}

ScopedVariables variables_in_two_variable_scopes(vs::Graph& g) {
  ScopedVariables v;
  {
    auto s = g.variable_scope("V1");
    v.a1 =
        g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    v.a2 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  {
    auto s = g.variable_scope("V2");
    v.a3 =
        g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    v.a4 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  return v;
}

NameScopedVariables variables_in_two_name_scopes(vs::Graph& g) {
  NameScopedVariables v;
  {
    auto s = g.name_scope("V1");
    v.in_v1 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
  }
  {
    auto s = g.name_scope("V2");
    v.in_v2 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
  }
  return v;
}

}  // namespace examples
