// Helpers shared by the test binaries.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <exception>
#include <string>
#include <typeinfo>
#include <vector>

#include "varscope/tensor.h"
#include "varscope/variable.h"

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

// True when `text` contains `n` as a whole decimal number.
inline bool HasNumber(const std::string& text, int n) {
  const std::string want = std::to_string(n);
  for (std::size_t i = text.find(want); i != std::string::npos; i = text.find(want, i + 1)) {
    const bool left = i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]));
    const std::size_t end = i + want.size();
    const bool right = end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
  }
  return false;
}

// E1/R5: TF's exact text, then the C++ call site of the original creation (`file`, `line`).
inline void ExpectAlreadyExists(const std::string& message,
                                const std::string& store_name,
                                const char* file,
                                int line) {
  const std::string prefix = "Variable " + store_name +
                             " already exists, disallowed. Did you mean to set reuse=True or "
                             "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n";
  ASSERT_EQ(message.substr(0, prefix.size()), prefix) << message;
  const std::string rest = message.substr(prefix.size());
  const std::size_t at = rest.find(file);
  ASSERT_NE(at, std::string::npos) << "no call site in " << file << ":\n" << message;
  EXPECT_TRUE(HasNumber(rest.substr(at), line))
      << "line " << line << " not named after the file in:\n"
      << message;
}

inline std::string DoesNotExist(const std::string& store_name) {
  return "Variable " + store_name +
         " does not exist, or was not created with tf.get_variable(). Did you mean to set "
         "reuse=tf.AUTO_REUSE in VarScope?";
}

inline std::vector<std::string> Names(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  for (const Variable& v : vars)
    out.push_back(v.name());
  return out;
}

// A float32 tensor's values, for EXPECT_EQ against a std::vector<float>.
inline std::vector<float> values(const HostTensor& t) {
  auto d = t.data<float>();
  return {d.begin(), d.end()};
}

}  // namespace varscope::testing
