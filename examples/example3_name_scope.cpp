// Seed example 3: name_scope does not prefix get_variable.
#include <iostream>

#include "seed_examples.h"

int main() {
  examples::name_scope_ignored_by_get_variable(std::cout);
}
