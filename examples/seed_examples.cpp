#include "seed_examples.h"

#include <varscope/varscope.h>

namespace vs = varscope;

namespace examples {

void sharing_with_reuse(std::ostream& out) {
  vs::Graph g;
  vs::Variable w1, b1, w2, w3;
  {
    auto s1 = g.variable_scope("v_scope");
    w1 = g.get_variable("Weights", {.shape = vs::Shape{2, 3}});
    b1 = g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  {
    auto s2 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    w2 = g.get_variable("Weights");
  }
  {
    auto s3 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    w3 = g.get_variable("Weights");
  }
  out << w1.name() << "\n" << w2.name() << "\n" << w3.name() << "\n";
}

void variable_scope_prefixes_both(std::ostream& out) {
  vs::Graph g;
  g.set_random_seed(1234);  // the same values on every run and on CPU and GPU alike
  vs::Variable a1, a2, a3, a4;
  {
    auto s = g.variable_scope("V1");
    a1 = g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    a2 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  {
    auto s = g.variable_scope("V2");
    a3 = g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    a4 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  out << a1.name() << "\n" << a2.name() << "\n" << a3.name() << "\n" << a4.name() << "\n";
  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  out << "values on " << sess.device_description() << ":\n";
  for (const vs::Variable& v : {a1, a2, a3, a4}) {
    out << v.name() << " = " << sess.run(v).to_string() << "\n";
  }
}

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
  vs::Variable b1, b2;
  {
    auto s = g2.name_scope("V1");
    b1 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
  }
  {
    auto s = g2.name_scope("V2");
    b2 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
  }
  out << b1.name() << "\n" << b2.name() << "\n";
}

}  // namespace examples
