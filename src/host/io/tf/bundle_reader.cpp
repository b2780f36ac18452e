// Reading a tensor bundle: the index in full at open (every entry checked against the data
// files' sizes), tensor bytes on demand with their checksums.
#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <string>

#include "host/io/tf/bundle.h"
#include "host/io/tf/crc32c.h"
#include "host/io/tf/table.h"
#include "varscope/errors.h"

namespace varscope::io::tf {
namespace {

constexpr int kMaxRank = 254;  // TensorShape::MaxDimensions()

// The shape of an entry, or nullopt if TF's TensorShape::IsValid would refuse it or its
// element count overflows an int64.
std::optional<Shape> shape_of(const varscope::tf::TensorShapeProto& proto) {
  if (proto.unknown_rank() || proto.dim_size() > kMaxRank) return std::nullopt;
  std::vector<std::int64_t> dims;
  std::int64_t n = 1;
  for (const auto& d : proto.dim()) {
    if (d.size() < 0) return std::nullopt;
    if (d.size() > 0 && n > std::numeric_limits<std::int64_t>::max() / d.size())
      return std::nullopt;
    n *= d.size();
    dims.push_back(d.size());
  }
  return Shape(std::move(dims));
}

// Bytes of `count` elements of `tf_dtype`; nullopt when the dtype has no fixed size (strings,
// variants, resources) or the product overflows.
std::optional<std::uint64_t> fixed_bytes(int tf_dtype, std::int64_t count) {
  std::uint64_t esize = 0;
  if (const std::optional<DType> d = from_tf_dtype(tf_dtype); d && d != DType::kString) {
    esize = dtype_size(*d);
  } else {
    switch (tf_dtype) {
      case varscope::tf::DT_UINT16:
      case varscope::tf::DT_QINT16:
      case varscope::tf::DT_QUINT16:
        esize = 2;
        break;
      case varscope::tf::DT_UINT32:
      case varscope::tf::DT_QINT32:
        esize = 4;
        break;
      case varscope::tf::DT_UINT64:
        esize = 8;
        break;
      case varscope::tf::DT_QINT8:
      case varscope::tf::DT_QUINT8:
        esize = 1;
        break;
      case varscope::tf::DT_COMPLEX128:
        esize = 16;
        break;
      default:
        return std::nullopt;
    }
  }
  const auto n = static_cast<std::uint64_t>(count);
  if (n > std::numeric_limits<std::uint64_t>::max() / esize) return std::nullopt;
  return n * esize;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

void BundleReader::fail(const std::string& what) const {
  throw DataLossError("Unable to read checkpoint " + prefix_ + ": " + what);
}

BundleReader::BundleReader(std::string prefix) : prefix_(std::move(prefix)) {
  const std::string index_path = index_filename(prefix_);
  if (!exists(index_path) && looks_like_table(prefix_)) {
    // TF's V1 format: the prefix itself is one table file (no .index beside it).
    throw UnimplementedError(
        "Checkpoint " + prefix_ + " is in TensorFlow's V1 format (a single file, from " +
        "before 2017); varscope reads the V2 format only (<prefix>.index + " +
        "<prefix>.data-*). TensorFlow itself still reads it: re-save it with TensorFlow's " +
        "V2 saver (tf.compat.v1.train.Saver(), the default write_version).");
  }
  InputFile index_file(index_path);  // vs::NotFoundError when missing
  const TableEntries table = read_table(index_file);

  if (table.empty() || !table.front().first.empty())
    fail("the index's first key is not the header (\"\")");
  varscope::tf::BundleHeaderProto header;
  if (!header.ParseFromString(table.front().second)) fail("unable to parse header");
  if (header.endianness() != varscope::tf::BundleHeaderProto::LITTLE) {
    throw UnimplementedError("Checkpoint " + prefix_ +
                             " was written on a big-endian machine; varscope reads "
                             "little-endian bundles only");
  }
  if (header.version().min_consumer() > 1) {
    throw InvalidArgumentError("Checkpoint min consumer version " +
                               std::to_string(header.version().min_consumer()) +
                               " above current version 1 for TensorFlow (checkpoint " + prefix_ +
                               "): written by a newer format than varscope reads");
  }
  for (const int bad : header.version().bad_consumers()) {
    if (bad == 1) {
      throw InvalidArgumentError("Checkpoint " + prefix_ +
                                 " disallows consumer version 1 (the one varscope reads)");
    }
  }
  if (header.num_shards() < 1) fail("bad num_shards " + std::to_string(header.num_shards()));
  num_shards_ = header.num_shards();

  std::set<std::string> slice_keys;
  for (std::size_t i = 1; i < table.size(); ++i) {
    const auto& [key, value] = table[i];
    varscope::tf::BundleEntryProto entry;
    if (!entry.ParseFromString(value)) fail("Entry for key " + key + " not parseable.");
    const std::optional<Shape> shape = shape_of(entry.shape());
    if (!shape) fail("Invalid tensor shape: " + key + " " + entry.shape().ShortDebugString());
    if (entry.slices_size() == 0) {
      if (entry.shard_id() < 0 || entry.shard_id() >= num_shards_)
        fail("entry " + key + " names shard " + std::to_string(entry.shard_id()) + " of " +
             std::to_string(num_shards_));
      if (entry.offset() < 0 || entry.size() < 0) fail("entry " + key + " has a negative offset");
      const std::optional<std::uint64_t> want = fixed_bytes(entry.dtype(), shape->num_elements());
      if (want && static_cast<std::uint64_t>(entry.size()) != *want) {
        fail("Invalid size in bundle entry: key " + key + "; stored size " +
             std::to_string(entry.size()) + "; expected size " + std::to_string(*want));
      }
      const auto shard = static_cast<std::size_t>(entry.shard_id());
      if (shard_sizes_.size() <= shard) shard_sizes_.resize(shard + 1, 0);
      if (shard_sizes_[shard] == 0) {
        InputFile data(data_filename(prefix_, entry.shard_id(), num_shards_));  // NotFound
        shard_sizes_[shard] = data.size() + 1;  // + 1: 0 means "not yet opened"
      }
      const std::uint64_t size = shard_sizes_[shard] - 1;
      const auto offset = static_cast<std::uint64_t>(entry.offset());
      if (offset > size || static_cast<std::uint64_t>(entry.size()) > size - offset) {
        fail("entry " + key + " (" + std::to_string(entry.size()) + " bytes at offset " +
             std::to_string(offset) + ") is past the end of " +
             data_filename(prefix_, entry.shard_id(), num_shards_) + " (" + std::to_string(size) +
             " bytes): truncated data file");
      }
    } else {
      for (const auto& slice : entry.slices()) {
        if (!slice_keys.insert(encode_slice_key(key, slice_from_proto(slice))).second)
          fail("entry " + key + " lists the same slice twice");
      }
    }
    entries_.emplace(key, std::move(entry));
  }
  for (const auto& [key, entry] : entries_) {
    if (slice_keys.contains(key)) continue;
    tensors_.emplace(key, BundleTensorInfo{entry.dtype(), from_tf_dtype(entry.dtype()),
                                           *shape_of(entry.shape())});
  }
}

HostTensor BundleReader::read(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end() || !tensors_.contains(name))
    throw NotFoundError("Key " + name + " not found in checkpoint");
  if (!from_tf_dtype(it->second.dtype())) {
    throw UnimplementedError("Checkpoint " + prefix_ + " entry " + name + " has dtype " +
                             tf_dtype_name(it->second.dtype()) +
                             ", which varscope has no DType for");
  }
  if (it->second.slices_size() > 0 && it->second.dtype() == varscope::tf::DT_STRING) {
    throw UnimplementedError("Checkpoint " + prefix_ + " entry " + name +
                             " is a partitioned string tensor, which varscope does not read");
  }
  if (it->second.slices_size() > 0) return read_sliced(name, it->second);
  return read_entry(name, it->second);
}

HostTensor BundleReader::read_entry(const std::string& key,
                                    const varscope::tf::BundleEntryProto& e) const {
  if (e.dtype() == varscope::tf::DT_STRING) return read_strings(key, e);
  // The constructor checked size == dtype x shape and that the bytes are in the file.
  HostTensor value(*from_tf_dtype(e.dtype()), *shape_of(e.shape()));
  const std::string path = data_filename(prefix_, e.shard_id(), num_shards_);
  InputFile data(path);
  auto bytes = std::span<std::byte>(static_cast<std::byte*>(value.raw_data()), value.nbytes());
  if (!data.read_at(static_cast<std::uint64_t>(e.offset()), bytes))
    fail("entry " + key + ": " + path + " is shorter than its index says (truncated)");
  const std::uint32_t actual = crc32c(bytes);
  if (crc32c_unmask(e.crc32c()) != actual) {
    throw DataLossError(
        "TensorBundle at " + prefix_ + " shard " + std::to_string(e.shard_id()) + " (" +
        std::to_string(e.size()) + " bytes): Checksum does not match: " + "stored " +
        std::to_string(crc32c_unmask(e.crc32c())) + " vs. calculated on the restored bytes " +
        std::to_string(actual) + " (entry " + key + ")");
  }
  return value;
}

HostTensor BundleReader::read_strings(const std::string& key,
                                      const varscope::tf::BundleEntryProto& e) const {
  // The constructor checked that the entry's bytes are in the file; each string takes one
  // byte of them at least, so nothing is allocated beyond the file's size.
  const Shape shape = *shape_of(e.shape());
  if (shape.num_elements() > e.size()) {
    fail("entry " + key + ": " + std::to_string(shape.num_elements()) + " strings cannot fit in " +
         std::to_string(e.size()) + " bytes");
  }
  std::string bytes(static_cast<std::size_t>(e.size()), '\0');
  const std::string path = data_filename(prefix_, e.shard_id(), num_shards_);
  InputFile data(path);
  if (!data.read_at(static_cast<std::uint64_t>(e.offset()),
                    std::as_writable_bytes(std::span<char>(bytes.data(), bytes.size()))))
    fail("entry " + key + ": " + path + " is shorter than its index says (truncated)");
  HostTensor value(DType::kString, shape);
  std::uint32_t actual = 0;
  if (const auto bad = decode_strings(bytes, value.data<std::string>(), actual))
    fail("entry " + key + ": " + *bad);
  if (crc32c_unmask(e.crc32c()) != actual) {
    throw DataLossError(
        "TensorBundle at " + prefix_ + " shard " + std::to_string(e.shard_id()) + " (" +
        std::to_string(e.size()) + " bytes): Checksum does not match: stored " +
        std::to_string(crc32c_unmask(e.crc32c())) + " vs. calculated on the restored bytes " +
        std::to_string(actual) + " (entry " + key + ")");
  }
  return value;
}

HostTensor BundleReader::read_sliced(const std::string& name,
                                     const varscope::tf::BundleEntryProto& e) const {
  const Shape full_shape = *shape_of(e.shape());
  const auto& dims = full_shape.dims();
  std::vector<SliceSpec> slices;
  std::int64_t covered = 0;
  for (const auto& proto : e.slices()) {
    SliceSpec s = slice_from_proto(proto);
    if (s.size() != dims.size()) fail("slice of " + name + " has the wrong rank");
    std::int64_t n = 1;
    std::vector<std::int64_t> lens;
    for (std::size_t d = 0; d < s.size(); ++d) {
      const std::int64_t len = s[d].length < 0 ? dims[d] : s[d].length;
      if (s[d].start < 0 || (s[d].length < 0 && s[d].start != 0) || len < 0 ||
          s[d].start > dims[d] || len > dims[d] - s[d].start)
        fail("slice of " + name + " is outside its shape " + full_shape.to_string());
      if (__builtin_mul_overflow(n, len, &n)) fail("slice of " + name + " is too large");
      lens.push_back(len);
    }
    const std::string key = encode_slice_key(name, s);
    const auto part = entries_.find(key);
    if (part == entries_.end() || part->second.slices_size() > 0 ||
        part->second.dtype() != e.dtype() || *shape_of(part->second.shape()) != Shape(lens))
      fail("the entry of a slice of " + name + " is missing or does not match it");
    for (const SliceSpec& other : slices) {  // parts may not overlap
      bool overlap = true;
      for (std::size_t d = 0; d < s.size() && overlap; ++d) {
        const std::int64_t a0 = s[d].start, a1 = a0 + lens[d];
        const std::int64_t b0 = other[d].start;
        const std::int64_t b1 = b0 + (other[d].length < 0 ? dims[d] : other[d].length);
        overlap = a0 < b1 && b0 < a1;
      }
      if (overlap && n > 0) fail("slices of " + name + " overlap");
    }
    covered += n;
    slices.push_back(std::move(s));
  }
  if (covered != full_shape.num_elements()) {
    throw InvalidArgumentError("Does not have sufficient slices for partitioned tensor " + name +
                               " to restore in slice_spec: the full tensor " +
                               full_shape.to_string());
  }
  // Only now, with every element backed by a part's bytes, the full tensor.
  HostTensor full(*from_tf_dtype(e.dtype()), full_shape);
  for (const SliceSpec& s : slices) {
    const std::string key = encode_slice_key(name, s);
    copy_slice_into(s, read_entry(key, entries_.at(key)), full);
  }
  return full;
}

}  // namespace varscope::io::tf
