// Bad TensorFlow checkpoints: each gets TF's error class and a message naming the problem,
// never a crash or an allocation sized by a number in the file (the ASan CI run checks it).
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "host/io/tf/bundle.h"
#include "host/io/tf/crc32c.h"
#include "host/io/tf/table.h"
#include "test_util.h"
#include "varscope/varscope.h"
#include "varscope_tf/tensor_bundle.pb.h"

namespace vs = varscope;
namespace tfio = varscope::io::tf;
namespace fs = std::filesystem;

namespace {

using vs::testing::error_of;
using vs::testing::read_bytes;
using vs::testing::TempDir;
using vs::testing::write_bytes;

const std::string kData = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string header_bytes(int num_shards = 1, bool big_endian = false) {
  varscope::tf::BundleHeaderProto h;
  h.set_num_shards(num_shards);
  if (big_endian) h.set_endianness(varscope::tf::BundleHeaderProto::BIG);
  h.mutable_version()->set_producer(1);
  return h.SerializeAsString();
}

varscope::tf::BundleEntryProto entry(int dtype,
                                     std::vector<std::int64_t> dims,
                                     std::int64_t offset,
                                     std::int64_t size) {
  varscope::tf::BundleEntryProto e;
  e.set_dtype(static_cast<varscope::tf::DataType>(dtype));
  for (const auto d : dims)
    e.mutable_shape()->add_dim()->set_size(d);
  e.set_offset(offset);
  e.set_size(size);
  return e;
}

// An index of these (key, value) pairs, in the order given, and a data file of `data`.
void write_bundle(const std::string& prefix,
                  const std::vector<std::pair<std::string, std::string>>& kv,
                  const std::string& data) {
  std::string index;
  tfio::TableWriter table([&](std::span<const std::byte> b) {
    index.append(reinterpret_cast<const char*>(b.data()), b.size());
  });
  for (const auto& [k, v] : kv)
    table.add(k, v);
  table.finish();
  write_bytes(tfio::index_filename(prefix), index);
  write_bytes(tfio::data_filename(prefix, 0, 1), data);
}

class TfHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kData + "/dtypes", dir_.file("d"));
    prefix_ = dir_.file("d/model.ckpt");
    index_ = read_bytes(prefix_ + ".index");
  }
  std::string open_error_data_loss() {
    return error_of<vs::DataLossError>([&] { vs::train::load_checkpoint(prefix_); });
  }
  TempDir dir_;
  std::string prefix_, index_;
};

TEST_F(TfHostile, BadMagic) {
  index_.back() = 'x';
  write_bytes(prefix_ + ".index", index_);
  EXPECT_TRUE(has(open_error_data_loss(), "not an sstable (bad magic number)"));
}

TEST_F(TfHostile, BlockChecksumMismatch) {
  index_[20] = static_cast<char>(index_[20] ^ 0x40);  // inside the data block
  write_bytes(prefix_ + ".index", index_);
  EXPECT_TRUE(has(open_error_data_loss(), "block checksum mismatch (data block)"));
}

TEST_F(TfHostile, TruncatedOrEmptyIndex) {
  write_bytes(prefix_ + ".index", index_.substr(0, index_.size() / 2));
  EXPECT_TRUE(has(open_error_data_loss(), "bad magic number"));
  write_bytes(prefix_ + ".index", index_.substr(0, 40));
  EXPECT_TRUE(has(open_error_data_loss(), "too short"));
  write_bytes(prefix_ + ".index", "");
  EXPECT_TRUE(has(open_error_data_loss(), "too short"));
}

TEST_F(TfHostile, TensorChecksumMismatch) {
  std::string data = read_bytes(prefix_ + ".data-00000-of-00001");
  data[0] = static_cast<char>(data[0] ^ 1);  // dt/bfloat16's first byte
  write_bytes(prefix_ + ".data-00000-of-00001", data);
  const auto reader = vs::train::load_checkpoint(prefix_);  // the index itself is fine
  const std::string msg = error_of<vs::DataLossError>([&] { reader.get_tensor("dt/bfloat16"); });
  EXPECT_TRUE(has(msg, "Checksum does not match")) << msg;
  EXPECT_EQ(reader.get_tensor("dt/bool").num_elements(), 5);  // others still read
}

TEST_F(TfHostile, TruncatedDataFile) {
  const std::string data = read_bytes(prefix_ + ".data-00000-of-00001");
  write_bytes(prefix_ + ".data-00000-of-00001", data.substr(0, data.size() - 1));
  EXPECT_TRUE(has(open_error_data_loss(), "truncated data file"));
}

TEST(TfHostileShards, MissingShardIsNotFound) {
  TempDir dir;
  fs::copy(kData + "/sharded", dir.file("s"));
  fs::remove(dir.file("s/model.ckpt.data-00001-of-00002"));
  const std::string msg =
      error_of<vs::NotFoundError>([&] { vs::train::load_checkpoint(dir.file("s/model.ckpt")); });
  EXPECT_TRUE(has(msg, "model.ckpt.data-00001-of-00002")) << msg;
}

TEST(TfHostileCrafted, SizeNotMatchingDtypeTimesShape) {
  TempDir dir;
  write_bundle(dir.file("m"),
               {{"", header_bytes()}, {"v", entry(1, {2, 3}, 0, 20).SerializeAsString()}},
               std::string(24, '\0'));
  const std::string msg =
      error_of<vs::DataLossError>([&] { vs::train::load_checkpoint(dir.file("m")); });
  EXPECT_TRUE(has(msg, "Invalid size in bundle entry: key v; stored size 20; expected size 24"))
      << msg;
}

TEST(TfHostileCrafted, HugeShapesNeverAllocate) {
  TempDir dir;
  const std::int64_t big = std::int64_t{1} << 40;
  // Overflowing element count: an invalid shape.
  write_bundle(dir.file("a"),
               {{"", header_bytes()}, {"v", entry(1, {big, big}, 0, 0).SerializeAsString()}}, "");
  EXPECT_TRUE(has(error_of<vs::DataLossError>([&] { vs::train::load_checkpoint(dir.file("a")); }),
                  "Invalid tensor shape"));
  // A consistent size far past the data file: refused before reading.
  write_bundle(dir.file("b"),
               {{"", header_bytes()}, {"v", entry(1, {big}, 0, big * 4).SerializeAsString()}}, "");
  EXPECT_TRUE(has(error_of<vs::DataLossError>([&] { vs::train::load_checkpoint(dir.file("b")); }),
                  "truncated data file"));
}

TEST(TfHostileCrafted, FirstKeyNotHeader) {
  TempDir dir;
  write_bundle(dir.file("m"), {{"a", header_bytes()}}, "");
  EXPECT_TRUE(has(error_of<vs::DataLossError>([&] { vs::train::load_checkpoint(dir.file("m")); }),
                  "first key is not the header"));
}

TEST(TfHostileCrafted, BigEndianIsUnimplemented) {
  TempDir dir;
  write_bundle(dir.file("m"), {{"", header_bytes(1, true)}}, "");
  EXPECT_TRUE(
      has(error_of<vs::UnimplementedError>([&] { vs::train::load_checkpoint(dir.file("m")); }),
          "big-endian"));
}

TEST(TfHostileCrafted, SnappyBlockIsUnimplemented) {
  TempDir dir;
  write_bundle(dir.file("m"), {{"", header_bytes()}}, "");
  std::string index = read_bytes(dir.file("m.index"));
  // The data block is first: its size is the index's first handle; set its type byte to 1.
  const std::size_t block = 3 + 6 + 8;  // one entry (3 + 6 bytes), restarts (4 + 4)
  index[block] = 1;
  const std::uint32_t crc =
      tfio::crc32c_mask(tfio::crc32c(std::string_view(index).substr(0, block + 1)));
  for (int i = 0; i < 4; ++i)
    index[block + 1 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
  write_bytes(dir.file("m.index"), index);
  EXPECT_TRUE(
      has(error_of<vs::UnimplementedError>([&] { vs::train::load_checkpoint(dir.file("m")); }),
          "snappy"));
}

TEST(TfHostileCrafted, UncoveredPartitionedTensor) {
  TempDir dir;
  auto full = entry(1, {4, 2}, 0, 0);
  auto* slice = full.add_slices();
  slice->add_extent()->set_length(1);
  slice->add_extent();
  const std::string part_key = tfio::encode_slice_key("v", {{0, 1}, {0, -1}});
  write_bundle(dir.file("m"),
               {{"", header_bytes()},
                {part_key, entry(1, {1, 2}, 0, 8).SerializeAsString()},
                {"v", full.SerializeAsString()}},
               std::string(8, '\0'));
  const auto reader = vs::train::load_checkpoint(dir.file("m"));
  EXPECT_EQ(reader.variable_to_shape_map().size(), 1u);
  EXPECT_TRUE(has(error_of<vs::InvalidArgumentError>([&] { reader.get_tensor("v"); }),
                  "Does not have sufficient slices for partitioned tensor v"));
}

TEST(TfHostileCrafted, PartitionedStringTensorIsUnimplemented) {
  TempDir dir;
  auto full = entry(7, {2}, 0, 0);
  full.add_slices()->add_extent()->set_length(1);
  auto* second = full.add_slices()->add_extent();
  second->set_start(1);
  second->set_length(1);
  write_bundle(dir.file("m"),
               {{"", header_bytes()},
                {tfio::encode_slice_key("s", {{0, 1}}), entry(7, {1}, 0, 5).SerializeAsString()},
                {tfio::encode_slice_key("s", {{1, 1}}), entry(7, {1}, 5, 5).SerializeAsString()},
                {"s", full.SerializeAsString()}},
               std::string(10, '\0'));
  const auto reader = vs::train::load_checkpoint(dir.file("m"));
  EXPECT_TRUE(has(error_of<vs::UnimplementedError>([&] { reader.get_tensor("s"); }),
                  "is a partitioned string tensor"));
}

TEST(TfHostileCrafted, DtypeVarscopeLacksIsListedButUnimplemented) {
  TempDir dir;
  write_bundle(dir.file("m"),
               {{"", header_bytes()}, {"s", entry(22, {2}, 0, 8).SerializeAsString()}},
               std::string(8, '\0'));
  const auto reader = vs::train::load_checkpoint(dir.file("m"));
  EXPECT_TRUE(reader.has_tensor("s"));
  EXPECT_TRUE(reader.variable_to_dtype_map().empty());
  EXPECT_TRUE(has(error_of<vs::UnimplementedError>([&] { reader.get_tensor("s"); }), "DT_UINT32"));
}

TEST(TfHostileState, CheckpointFileOutsideItsDirectory) {
  TempDir dir;
  fs::create_directory(dir.file("run"));
  for (const char* target : {"../elsewhere/model.ckpt", "/etc/model.ckpt"}) {
    write_bytes(dir.file("run/checkpoint"),
                std::string("model_checkpoint_path: \"") + target + "\"\n");
    const std::string msg =
        error_of<vs::InvalidArgumentError>([&] { vs::train::latest_checkpoint(dir.file("run")); });
    EXPECT_TRUE(has(msg, "outside its directory")) << msg;
  }
  write_bytes(dir.file("run/checkpoint"), "model_checkpoint_path: ");
  EXPECT_TRUE(
      has(error_of<vs::DataLossError>([&] { vs::train::latest_checkpoint(dir.file("run")); }),
          "not a text CheckpointState"));
  write_bytes(dir.file("run/checkpoint"), "all_model_checkpoint_paths: \"a\"\n");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::train::latest_checkpoint(dir.file("run")); }),
            "Invalid checkpoint state loaded from " + dir.file("run"));
  fs::remove(dir.file("run/checkpoint"));
  EXPECT_EQ(vs::train::latest_checkpoint(dir.file("run")), std::nullopt);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::train::load_checkpoint(dir.file("run")); }),
            "Couldn't find 'checkpoint' file or checkpoints in given directory " + dir.file("run"));
}

}  // namespace
