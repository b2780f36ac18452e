// TF 1.15's DeviceSpec._string_to_components / _components_to_string, word for word in their
// errors (tf.device raises them when it is entered).
#include "host/graph/device_spec.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Python's int(text), with its error text.
std::int64_t to_int(std::string_view text) {
  std::int64_t value = 0;
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data() + (text.size() - digits.size()),
                                         text.data() + text.size(), value);
  if (digits.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw ValueError("invalid literal for int() with base 10: '" + std::string(text) + "'");
  }
  return text.front() == '-' ? -value : value;
}

}  // namespace

DeviceSpec DeviceSpec::parse(std::string_view spec) {
  DeviceSpec d;
  const auto multiple = [&] {
    throw ValueError("Cannot specify multiple device types: " + std::string(spec));
  };
  for (std::string_view part : split(spec, '/')) {
    const std::vector<std::string_view> y = split(part, ':');
    const std::size_t n = y.size();
    if (n == 2 && y[0] == "job") {
      d.job = std::string(y[1]);
    } else if (n == 2 && y[0] == "replica") {
      d.replica = to_int(y[1]);
    } else if (n == 2 && y[0] == "task") {
      d.task = to_int(y[1]);
    } else if ((n == 1 || n == 2) && (upper(y[0]) == "GPU" || upper(y[0]) == "CPU")) {
      if (d.type) multiple();
      d.type = upper(y[0]);
      if (n == 2 && y[1] != "*") d.index = to_int(y[1]);
    } else if (n == 3 && y[0] == "device") {
      if (d.type) multiple();
      // TF keeps the type as written, except that "gpu"/"cpu" are upper-cased by the setter.
      d.type = y[1] == "gpu" || y[1] == "cpu" ? upper(y[1]) : std::string(y[1]);
      if (y[2] != "*") d.index = to_int(y[2]);
    } else if (!y[0].empty()) {
      throw ValueError("Unknown attribute: '" + std::string(y[0]) + "' in '" + std::string(spec) +
                       "'");
    }
  }
  return d;
}

DeviceSpec DeviceSpec::merged_with(const DeviceSpec& inner) const {
  DeviceSpec d = *this;
  if (inner.job) d.job = inner.job;
  if (inner.replica) d.replica = inner.replica;
  if (inner.task) d.task = inner.task;
  if (inner.type) d.type = inner.type;
  if (inner.index) d.index = inner.index;
  return d;
}

std::string DeviceSpec::to_string() const {
  std::string out;
  if (job) out += "/job:" + *job;
  if (replica) out += "/replica:" + std::to_string(*replica);
  if (task) out += "/task:" + std::to_string(*task);
  if (type) out += "/device:" + *type + ":" + (index ? std::to_string(*index) : "*");
  return out;
}

}  // namespace varscope::detail
