// Helpers shared by the test binaries.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <typeinfo>

namespace varscope::testing {

// Runs f, which must throw E; returns the exception's message. Any other outcome fails the
// test (and returns a marker that no expected message equals).
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw another exception type (" << typeid(e).name() << "): " << e.what();
    return "<wrong exception type>";
  }
  ADD_FAILURE() << "did not throw";
  return "<no exception>";
}

}  // namespace varscope::testing
