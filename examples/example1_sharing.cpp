// Seed example 1: `w1`, `w2`, `w3` are one variable, v_scope/Weights:0.
#include <iostream>

#include "seed_examples.h"

int main() {
  examples::sharing_with_reuse(std::cout);
}
