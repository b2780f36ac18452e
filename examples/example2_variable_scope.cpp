// Seed example 2: variable_scope prefixes get_variable and tf.Variable alike.
#include <iostream>

#include "seed_examples.h"

int main() {
  examples::variable_scope_prefixes_both(std::cout);
}
