// TF's naming rules (ops.py): Graph.unique_name, Graph.name_scope and the name regexes.
#include <cstring>
#include <string>

#include "host/graph/graph_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// _VALID_SCOPE_NAME_REGEX = "^[A-Za-z0-9_.\\-/]*$" (TF 1.15)
bool is_scope_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '/';
}

// _VALID_OP_NAME_REGEX = "^[A-Za-z0-9.][A-Za-z0-9_.\\-/]*$" (TF 1.15)
bool is_valid_op_name(std::string_view name) {
  if (name.empty()) return false;
  char first = name.front();
  bool first_ok = (first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') ||
                  (first >= '0' && first <= '9') || first == '.';
  if (!first_ok) return false;
  for (char c : name.substr(1)) {
    if (!is_scope_char(c)) return false;
  }
  return true;
}

bool is_valid_scope_name(std::string_view name) {
  for (char c : name) {
    if (!is_scope_char(c)) return false;
  }
  return true;
}

void lower_in_place(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

}  // namespace

std::string_view GraphImpl::intern(std::string_view s) {
  if (s.empty()) return {};
  auto* p = static_cast<char*>(arena.allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

std::string GraphImpl::unique_name(std::string_view name, bool mark_as_used) {
  std::string full;
  full.reserve(name_stack.size() + 1 + name.size());
  if (!name_stack.empty()) {
    full += name_stack;
    full += '/';
  }
  full += name;
  lowered.assign(full);
  lower_in_place(lowered);
  int i = 0;
  if (mark_as_used) {
    // Interned only when new; the second probe finds its slots in cache.
    auto [key, count] = names_in_use.find_entry(lowered);
    const bool inserted = count == nullptr;
    if (inserted) {
      key = intern(lowered);
      count = names_in_use.try_emplace(key, 0).first;
    }
    if (journaling_) journal_.names.emplace_back(key, inserted ? -1 : *count);
    i = (*count)++;
  } else if (const int* count = names_in_use.find(lowered)) {
    i = *count;
  }
  if (i == 0) return full;
  // Skip suffixes that were taken explicitly ("a_1" before the second "a").
  const std::size_t base = lowered.size();
  do {
    lowered.resize(base);
    lowered += '_';
    lowered += std::to_string(i++);
  } while (names_in_use.contains(lowered));
  if (mark_as_used) {
    const std::string_view key = intern(lowered);
    names_in_use.try_emplace(key, 1);
    if (journaling_) journal_.names.emplace_back(key, -1);
  }
  full += '_';
  full += std::to_string(i - 1);  // keeps the caller's capitalisation
  return full;
}

void GraphImpl::check_scope_name(std::string_view name) const {
  if (name.empty()) return;
  // Nested scopes may start with '_', '-' or '/'; root scopes must look like op names.
  const bool valid = name_stack.empty() ? is_valid_op_name(name) : is_valid_scope_name(name);
  if (!valid) throw ValueError("'" + std::string(name) + "' is not a valid scope name");
}

std::string GraphImpl::resolve_name_scope(std::optional<std::string_view> name) {
  if (!name || name->empty()) return {};
  check_scope_name(*name);
  if (name->back() == '/') return std::string(name->substr(0, name->size() - 1));
  return unique_name(*name);
}

std::string GraphImpl::op_name(std::string_view name_or_scope) {
  if (!name_or_scope.empty() && name_or_scope.back() == '/') {
    std::string name(name_or_scope.substr(0, name_or_scope.size() - 1));
    if (!is_valid_op_name(name)) throw ValueError("'" + name + "' is not a valid node name");
    return name;
  }
  // A "_N" suffix keeps a valid name valid, so checking the plain full name first lets a
  // bad name leave the name table as it was. Checked in two parts: no string to build.
  const bool valid = name_stack.empty()
                         ? is_valid_op_name(name_or_scope)
                         : is_valid_op_name(name_stack) && is_valid_scope_name(name_or_scope);
  if (!valid) {
    std::string full = scope_string(name_stack);
    full += name_or_scope;
    throw ValueError("'" + full + "' is not a valid node name");
  }
  return unique_name(name_or_scope);
}

}  // namespace varscope::detail
