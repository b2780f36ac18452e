// operator<< for HostTensor: to_string() for small tensors; for big ones numpy's summary
// (threshold 1000, edge items 3), so printing a weight never floods a terminal.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "host/core/element_text.h"
#include "varscope/host_tensor.h"

namespace varscope {
namespace detail {
namespace {

// Python's repr of bytes: b'...' (b"..." when it holds ' and no "), \\, \t, \n, \r and
// \xNN for the rest outside printable ASCII.
void write_bytes_repr(std::ostream& os, const std::string& s) {
  const char quote =
      s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  os << 'b' << quote;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      os << '\\' << ch;
    } else if (c == '\t') {
      os << "\\t";
    } else if (c == '\n') {
      os << "\\n";
    } else if (c == '\r') {
      os << "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      os << "\\x" << kHex[c >> 4] << kHex[c & 0xf];
    } else {
      os << ch;
    }
  }
  os << quote;
}

}  // namespace

void write_element_text(std::ostream& os, const HostTensor& t, std::int64_t i) {
  if (t.dtype() == DType::kString) {
    write_bytes_repr(os, t.data<std::string>()[static_cast<std::size_t>(i)]);
    return;
  }
  const double v = t.element_as_double(i);
  if (t.dtype() == DType::kBool) {
    os << (v != 0 ? "True" : "False");
  } else {
    os << v;
  }
}

}  // namespace detail
namespace {

constexpr std::int64_t kSummaryThreshold = 1000;  // numpy's print threshold
constexpr std::int64_t kEdgeItems = 3;

class Printer {
 public:
  Printer(std::ostream& os, const HostTensor& t)
      : os_(os), t_(t), dims_(t.shape().dims()), strides_(dims_.size() + 1, 1) {
    for (std::size_t d = dims_.size(); d-- > 0;)
      strides_[d] = strides_[d + 1] * dims_[d];
  }

  // The sub-array at `depth` starting at element `offset`.
  void print(std::size_t depth, std::int64_t offset) {
    const std::size_t rank = dims_.size();
    if (depth == rank) {
      detail::write_element_text(os_, t_, offset);
      return;
    }
    // Between sub-arrays: one newline per dimension closed, then the next one's indent.
    const std::string separator =
        depth + 1 == rank ? std::string(" ")
                          : std::string(rank - 1 - depth, '\n') + std::string(depth + 1, ' ');
    const std::int64_t n = dims_[depth];
    os_ << '[';
    for (std::int64_t i = 0; i < n; ++i) {
      if (i > 0) os_ << separator;
      if (n > 2 * kEdgeItems && i == kEdgeItems) {
        os_ << "..." << separator;
        i = n - kEdgeItems;
      }
      print(depth + 1, offset + i * strides_[depth + 1]);
    }
    os_ << ']';
  }

 private:
  std::ostream& os_;
  const HostTensor& t_;
  const std::vector<std::int64_t>& dims_;
  std::vector<std::int64_t> strides_;
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const HostTensor& tensor) {
  if (tensor.num_elements() <= kSummaryThreshold) return os << tensor.to_string();
  Printer(os, tensor).print(0, 0);
  return os;
}

}  // namespace varscope
