// NumPy .npy files (numpy.lib.format): one tensor, for golden files.
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/io/file.h"
#include "varscope/errors.h"
#include "varscope/tensor_files.h"

namespace varscope {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kArrayAlign = 64;           // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthAxisMaxDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

struct Descr {
  DType dtype;
  char kind;  // numpy's dtype.kind
  std::size_t itemsize;
};

constexpr std::array<Descr, 10> kDescrs{{
    {DType::kFloat16, 'f', 2},
    {DType::kFloat32, 'f', 4},
    {DType::kFloat64, 'f', 8},
    {DType::kInt8, 'i', 1},
    {DType::kInt16, 'i', 2},
    {DType::kInt32, 'i', 4},
    {DType::kInt64, 'i', 8},
    {DType::kUInt8, 'u', 1},
    {DType::kBool, 'b', 1},
    {DType::kComplex64, 'c', 8},
}};

// numpy's dtype.str: '<f4', '|u1', ...
std::string descr_of(DType dtype) {
  for (const Descr& d : kDescrs) {
    if (d.dtype == dtype) {
      return std::string(1, d.itemsize == 1 ? '|' : '<') + d.kind + std::to_string(d.itemsize);
    }
  }
  throw InvalidArgumentError("NumPy has no dtype for " + std::string(dtype_name(dtype)) +
                             "; cast it or save it to safetensors");
}

// repr() of the shape tuple: "()", "(3,)", "(2, 3)".
std::string shape_repr(const Shape& shape) {
  const auto& dims = shape.dims();
  std::string out = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims[i]);
  }
  if (dims.size() == 1) out += ",";
  return out + ")";
}

[[noreturn]] void corrupt(const std::string& path, const std::string& problem) {
  throw DataLossError("Corrupt .npy file " + path + ": " + problem);
}

// numpy refuses headers over 10000 bytes unless told otherwise; a generous cap keeps a
// hostile length from allocating gigabytes.
constexpr std::size_t kMaxHeaderBytes = 1 << 20;

// At most a short prefix of the header, for error messages.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMaxChars = 120;
  if (text.size() <= kMaxChars) return std::string(text);
  return std::string(text.substr(0, kMaxChars)) + "...";
}

// The header dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(const std::string& path, std::string_view text) : path_(path), text_(text) {}

  NpyHeader parse() {
    NpyHeader h;
    bool has_descr = false, has_fortran = false, has_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr" && !has_descr) {
        h.descr = string_literal();
        has_descr = true;
      } else if (key == "fortran_order" && !has_fortran) {
        h.fortran_order = bool_literal();
        has_fortran = true;
      } else if (key == "shape" && !has_shape) {
        h.shape = int_tuple();
        has_shape = true;
      } else {
        fail("unexpected or repeated key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the dict");
    if (!has_descr || !has_fortran || !has_shape) {
      fail("the dict needs exactly the keys 'descr', 'fortran_order' and 'shape'");
    }
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    corrupt(path_, "bad header dict at character " + std::to_string(pos_) + ": " + what + " in " +
                       excerpt(text_));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a string");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool bool_literal() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<std::uint64_t> int_tuple() {
    std::vector<std::uint64_t> dims;
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("expected a non-negative integer");
      std::uint64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        const auto digit = static_cast<std::uint64_t>(peek() - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
          fail("dimension overflows");
        v = v * 10 + digit;
        ++pos_;
      }
      dims.push_back(v);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail("expected ',' or ')'");
    }
    ++pos_;
    return dims;
  }

  const std::string& path_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Reverses the bytes of each `unit`-byte word.
void byteswap(std::span<std::byte> data, std::size_t unit) {
  for (std::size_t i = 0; i + unit <= data.size(); i += unit) {
    std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i),
                 data.begin() + static_cast<std::ptrdiff_t>(i + unit));
  }
}

}  // namespace

void write_npy(const std::string& path, const HostTensor& tensor) {
  std::string header = "{'descr': '" + descr_of(tensor.dtype()) +
                       "', 'fortran_order': False, 'shape': " + shape_repr(tensor.shape()) + ", }";
  // numpy leaves room for the first axis to grow in place.
  if (tensor.shape().rank() > 0) {
    header.append(kGrowthAxisMaxDigits - std::to_string(tensor.shape().dim(0)).size(), ' ');
  }
  // Pad with spaces and end in '\n' so that the data starts on a 64-byte boundary.
  const std::size_t hlen = header.size() + 1;
  const std::size_t padlen = kArrayAlign - ((kMagic.size() + 2 + 2 + hlen) % kArrayAlign);
  header.append(padlen, ' ');
  header += '\n';
  if (header.size() > 0xffff) {
    throw InvalidArgumentError("The .npy v1.0 header of shape " + tensor.shape().to_string() +
                               " is over 65535 bytes");
  }
  std::string prefix(kMagic);
  prefix += '\x01';
  prefix += '\x00';
  prefix += static_cast<char>(header.size() & 0xff);
  prefix += static_cast<char>((header.size() >> 8) & 0xff);
  io::write_file_atomically(path, [&](const io::ByteSink& sink) {
    sink(std::as_bytes(std::span<const char>(prefix)));
    sink(std::as_bytes(std::span<const char>(header)));
    sink(std::span<const std::byte>(static_cast<const std::byte*>(tensor.raw_data()),
                                    tensor.nbytes()));
  });
}

HostTensor read_npy(const std::string& path) {
  io::InputFile file(path);
  // The fixed prefix and the header first: the data's size is checked against the file's
  // before anything of that size is allocated.
  std::array<std::byte, kMagic.size() + 2 + 4> start{};
  auto byte_at = [&](std::size_t i) { return std::to_integer<unsigned>(start[i]); };
  if (file.size() < kMagic.size() + 2 ||
      !file.read(std::span<std::byte>(start).first(kMagic.size() + 2)) ||
      std::memcmp(start.data(), kMagic.data(), kMagic.size()) != 0) {
    corrupt(path, "it does not start with the magic string \\x93NUMPY");
  }
  const unsigned major = byte_at(6), minor = byte_at(7);
  if (major < 1 || major > 3 || minor != 0) {
    corrupt(path,
            "unsupported format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t len_size = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagic.size() + 2 + len_size;
  if (file.size() < prefix || !file.read(std::span<std::byte>(start).subspan(8, len_size))) {
    corrupt(path, "the file ends inside the header length");
  }
  std::size_t header_len = 0;
  for (std::size_t i = len_size; i-- > 0;)
    header_len = (header_len << 8) | byte_at(8 + i);
  if (header_len > file.size() - prefix) {
    corrupt(path, "header length " + std::to_string(header_len) +
                      " runs past the end of the file (file size " + std::to_string(file.size()) +
                      ")");
  }
  if (header_len > kMaxHeaderBytes) {
    corrupt(path, "header length " + std::to_string(header_len) + " exceeds the limit of " +
                      std::to_string(kMaxHeaderBytes) + " bytes");
  }
  std::string header_text(header_len, '\0');
  if (!file.read(std::as_writable_bytes(std::span<char>(header_text)))) {
    corrupt(path, "the file ended while reading the header");
  }
  const std::string_view text(header_text);
  const NpyHeader h = HeaderParser(path, text).parse();

  // descr: byte order, kind, item size.
  std::optional<Descr> descr;
  const char order = h.descr.empty() ? '\0' : h.descr[0];
  if ((order == '<' || order == '>' || order == '|' || order == '=') && h.descr.size() >= 3) {
    for (const Descr& d : kDescrs) {
      if (h.descr.substr(1) == std::string(1, d.kind) + std::to_string(d.itemsize)) descr = d;
    }
  }
  if (!descr) {
    throw UnimplementedError(".npy file " + path + " has dtype '" + h.descr +
                             "', which varscope has no DType for");
  }

  std::vector<std::int64_t> dims;
  std::uint64_t count = 1;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::uint64_t d : h.shape) {
    // Each dimension on its own too: a zero elsewhere makes the product small.
    if (d > kMax || (d != 0 && count > kMax / d)) {
      corrupt(path, "shape " + excerpt(text) + " overflows");
    }
    count *= d;
    dims.push_back(static_cast<std::int64_t>(d));
  }
  if (count > kMax / descr->itemsize) corrupt(path, "shape overflows");
  const std::uint64_t nbytes = count * descr->itemsize;
  const std::uint64_t available = file.size() - prefix - header_len;
  if (available < nbytes) {
    corrupt(path, "the data is " + std::to_string(available) + " bytes, but dtype '" + h.descr +
                      "' and shape " + shape_repr(Shape(dims)) + " need " + std::to_string(nbytes) +
                      " (truncated data)");
  }
  if (available > nbytes) {
    corrupt(path, "the file has " + std::to_string(available - nbytes) + " bytes after the data");
  }

  // One allocation of the data's size: the tensor's own buffer (the file holds that much).
  HostTensor out(descr->dtype, Shape(dims));
  std::span<std::byte> data(static_cast<std::byte*>(out.raw_data()), out.nbytes());
  if (!file.read(data)) corrupt(path, "the file ended while reading the data");
  if (order == '>' && descr->itemsize > 1) {
    byteswap(data, descr->dtype == DType::kComplex64 ? 4 : descr->itemsize);
  }
  if (descr->dtype == DType::kBool) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (std::to_integer<unsigned>(data[i]) > 1) {
        corrupt(path, "bool element " + std::to_string(i) + " is neither 0 nor 1");
      }
    }
  }
  if (!h.fortran_order || dims.size() < 2) return out;
  const std::vector<std::byte> column_major(data.begin(), data.end());
  std::byte* dst = data.data();
  // Fortran order: walk the C-order index and gather from column-major positions.
  const std::size_t rank = dims.size();
  std::vector<std::uint64_t> f_stride(rank, 1);
  for (std::size_t k = 1; k < rank; ++k) {
    f_stride[k] = f_stride[k - 1] * static_cast<std::uint64_t>(dims[k - 1]);
  }
  std::vector<std::uint64_t> index(rank, 0);
  for (std::uint64_t c = 0; c < count; ++c) {
    std::uint64_t f = 0;
    for (std::size_t k = 0; k < rank; ++k)
      f += index[k] * f_stride[k];
    std::memcpy(dst + c * descr->itemsize, column_major.data() + f * descr->itemsize,
                descr->itemsize);
    for (std::size_t k = rank; k-- > 0;) {
      if (++index[k] < static_cast<std::uint64_t>(dims[k])) break;
      index[k] = 0;
    }
  }
  return out;
}

}  // namespace varscope
