// Collection scope filters: TF matches them with Python's re.match, varscope with RE2 (linear
// time on user input). This gives RE2 a pattern that matches exactly what Python's would, or
// refuses the filter: never a silent difference.
#pragma once

#include <re2/re2.h>

#include <optional>
#include <string>
#include <string_view>

namespace varscope::detail {

// get_collection's `scope` argument: re.match(scope, item.name), anchored at the start only.
// RE2: the filter is user input, and RE2 matches in time linear in the name, without
// recursion. What RE2 cannot do as Python would (lookarounds, huge counts) is refused
// (vs::InvalidArgumentError), never matched otherwise; a pattern Python refuses too is a
// vs::ValueError. No scope matches every name.
class CollectionScopeFilter {
 public:
  explicit CollectionScopeFilter(const std::optional<std::string>& scope);
  bool matches(std::string_view name) const;

 private:
  std::optional<std::string> scope_;
  std::optional<RE2> pattern_;  // only when the scope has regex syntax
};

// `pattern` rewritten where the two syntaxes differ on the same meaning: Python's repetition
// braces `{,n}`, `{,}` and counts with leading zeros, which RE2 would read as literal text,
// become `{0,n}`, `{0,}` and plain counts. Throws vs::InvalidArgumentError where they differ
// in what they can do: a count Python refuses ("the repetition number is too large", as its
// OverflowError says, from 2^32 - 1) and one above RE2's limit of 1000, which Python accepts.
// A minimum above the maximum is a vs::ValueError, as other patterns Python refuses.
//
// python_syntax_re2_lacks(): whether an RE2 compile error is a construct Python's re has
// (lookarounds, comments, conditionals, named backreferences, verbose and ASCII/locale/unicode
// flags; nested counts past RE2's limit) rather than a pattern Python refuses too.
std::string python_pattern_for_re2(const std::string& pattern);
bool python_syntax_re2_lacks(int re2_error_code, const std::string& re2_error_arg);

}  // namespace varscope::detail
