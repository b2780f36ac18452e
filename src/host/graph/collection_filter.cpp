// Python's re syntax for RE2 (see collection_filter.h). The scan follows sre_parse: a
// backslash escapes the next character, a character class runs to its first unescaped `]`
// (one right after `[` or `[^` is literal), and `{` starts a repetition only when
// `{digits}`, `{digits,digits}` (either side may be empty, not both with no comma) follows;
// otherwise it is a literal `{`, as in RE2.
#include "host/graph/collection_filter.h"

#include <re2/re2.h>

#include <cstdint>

#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// Python's _sre.MAXREPEAT on 64-bit builds: counts from here on are refused.
constexpr std::uint64_t kPythonMaxRepeat = 4294967295u;
// RE2's limit on a repetition count (its parser's maximum_repeat_count).
constexpr std::uint64_t kRe2MaxRepeat = 1000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The digits' value, saturated past Python's maximum.
std::uint64_t count_of(const std::string& digits) {
  std::uint64_t v = 0;
  for (const char c : digits) {
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > kPythonMaxRepeat) return kPythonMaxRepeat + 1;
  }
  return v;
}

}  // namespace

std::string python_pattern_for_re2(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 8);
  const std::size_t n = pattern.size();
  for (std::size_t i = 0; i < n;) {
    const char c = pattern[i];
    if (c == '\\') {  // an escape: the backslash and the character it escapes
      out.append(pattern, i, 2);
      i += 2;
      continue;
    }
    if (c == '[') {  // a class, copied as is: braces inside are literal in both
      std::size_t j = i + 1;
      if (j < n && pattern[j] == '^') ++j;
      if (j < n && pattern[j] == ']') ++j;
      while (j < n && pattern[j] != ']')
        j += pattern[j] == '\\' ? 2 : 1;
      j = j < n ? j + 1 : n;
      out.append(pattern, i, j - i);
      i = j;
      continue;
    }
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    std::string lo, hi;
    while (j < n && is_digit(pattern[j]))
      lo += pattern[j++];
    const bool comma = j < n && pattern[j] == ',';
    if (comma) {
      ++j;
      while (j < n && is_digit(pattern[j]))
        hi += pattern[j++];
    }
    if (j >= n || pattern[j] != '}' || (lo.empty() && !comma)) {  // a literal '{', as RE2
      out += c;
      ++i;
      continue;
    }
    const std::uint64_t min = lo.empty() ? 0 : count_of(lo);
    const std::uint64_t max = hi.empty() ? 0 : count_of(hi);
    if (min >= kPythonMaxRepeat || max >= kPythonMaxRepeat) {
      throw InvalidArgumentError("Invalid collection scope filter '" + pattern +
                                 "': the repetition number is too large");
    }
    if (!hi.empty() && max < min) {  // refused by both; Python's words
      throw ValueError("Invalid collection scope filter '" + pattern +
                       "': not a regular expression (min repeat greater than max repeat)");
    }
    if (min > kRe2MaxRepeat || max > kRe2MaxRepeat) {
      throw InvalidArgumentError("Collection scope filter '" + pattern +
                                 "' cannot be matched as Python's re would: RE2 allows "
                                 "repetition counts up to 1000");
    }
    out += '{';
    out += std::to_string(min);
    if (comma) {
      out += ',';
      if (!hi.empty()) out += std::to_string(max);
    }
    out += '}';
    i = j + 1;
  }
  return out;
}

bool python_syntax_re2_lacks(int re2_error_code, const std::string& re2_error_arg) {
  if (re2_error_code == RE2::ErrorRepeatSize) return true;  // simple counts were checked above
  if (re2_error_code != RE2::ErrorBadPerlOp || re2_error_arg.size() < 3) return false;
  // "(?=", "(?!", "(?<" (lookarounds), "(?#", "(?(", "(?P" (=name), flags a, L, u, x.
  return std::string("=!<#(PaLux").find(re2_error_arg[2]) != std::string::npos;
}

CollectionScopeFilter::CollectionScopeFilter(const std::optional<std::string>& scope)
    : scope_(scope) {
  if (!scope || scope->find_first_of(".^$|?*+()[]{}\\") == std::string::npos) return;
  RE2::Options options;
  options.set_log_errors(false);
  pattern_.emplace(python_pattern_for_re2(*scope), options);
  if (python_syntax_re2_lacks(pattern_->error_code(), pattern_->error_arg())) {
    throw InvalidArgumentError("Collection scope filter '" + *scope +
                               "' cannot be matched as Python's re would: " + pattern_->error());
  }
  if (!pattern_->ok()) {
    throw ValueError("Invalid collection scope filter '" + *scope +
                     "': not a regular expression (" + pattern_->error() + ")");
  }
}

bool CollectionScopeFilter::matches(std::string_view name) const {
  if (!scope_) return true;
  if (!pattern_) return name.starts_with(*scope_);
  return pattern_->Match(name, 0, name.size(), RE2::ANCHOR_START, nullptr, 0);
}

}  // namespace varscope::detail
