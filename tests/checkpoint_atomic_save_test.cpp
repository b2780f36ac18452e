// Interrupted and failed saves leave the previous file loadable and no temp file behind.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend_test.h"
#include "checkpoint_test_util.h"
#include "gpu_test.h"
#include "host/io/safetensors.h"
#include "host/io/saver.h"
#include "test_util.h"
#include "varscope/saver.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;
using namespace checkpoint_test;  // NOLINT: the helpers of checkpoint_test_util.h

// ---- interrupted and failed saves ----

class CheckpointAtomicSave : public ::testing::Test {
 protected:
  void SetUp() override {
    s1_.run(m1_.g.global_variables_initializer());
    vs::Saver(m1_.g).save(s1_, path_);
    old_bytes_ = read_bytes(path_);
    s2_.run(m2_.g.global_variables_initializer());
  }
  // The old file is still there, byte for byte, loads, and nothing else is in the directory.
  void expect_old_file_intact() {
    EXPECT_EQ(read_bytes(path_), old_bytes_);
    EXPECT_EQ(dir_.entries(), std::vector<std::string>{"ckpt.safetensors"});
    Model fresh("v_scope", 5);
    vs::Session s(fresh.g, {.device = vs::DeviceKind::kCpu});
    vs::Saver(fresh.g).restore(s, path_);
    EXPECT_EQ(fresh.values(s), m1_.values(s1_));
  }
  TempDir dir_;
  std::string path_ = dir_.file("ckpt.safetensors");
  Model m1_;
  vs::Session s1_{m1_.g, {.device = vs::DeviceKind::kCpu}};
  Model m2_{"v_scope", 99};
  vs::Session s2_{m2_.g, {.device = vs::DeviceKind::kCpu}};
  std::string old_bytes_;
};

// A sink that passes `limit` bytes to the file, then fails like a full disk.
vs::io::SinkFilter fail_after(std::size_t limit, std::size_t* written) {
  return [limit, written](vs::io::ByteSink file) -> vs::io::ByteSink {
    return [limit, written, file](std::span<const std::byte> bytes) {
      const std::size_t room = limit - *written;
      if (bytes.size() > room) {
        file(bytes.first(room));
        *written += room;
        throw std::runtime_error("simulated write failure");
      }
      file(bytes);
      *written += bytes.size();
    };
  };
}

TEST_F(CheckpointAtomicSave, WriterFailingMidwayLeavesTheOldFileLoadable) {
  vs::Saver saver(m2_.g);
  const std::size_t full = old_bytes_.size();
  const std::size_t header_end = 8 + header_length(old_bytes_);
  for (std::size_t limit : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{40},
                            header_end, header_end + 10, full - 1}) {
    std::size_t written = 0;
    EXPECT_EQ(error_of<std::runtime_error>([&] {
                vs::io::save_variables(s2_, m2_.g, saver.var_list(), {}, path_,
                                       fail_after(limit, &written));
              }),
              "simulated write failure")
        << "limit " << limit;
    EXPECT_EQ(written, limit);  // the temp file really got those bytes
    expect_old_file_intact();
  }
  // An unhindered save then replaces the file.
  std::size_t written = 0;
  vs::io::save_variables(s2_, m2_.g, saver.var_list(), {}, path_, fail_after(1 << 20, &written));
  EXPECT_EQ(written, read_bytes(path_).size());
  Model fresh("v_scope", 5);
  vs::Session s(fresh.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(fresh.g).restore(s, path_);
  EXPECT_EQ(fresh.values(s), m2_.values(s2_));
}

TEST_F(CheckpointAtomicSave, ProcessKilledMidwayLeavesTheOldFileLoadable) {
  std::map<std::string, vs::HostTensor> values;
  for (const vs::Variable& v : m2_.all())
    values.emplace(v.op_name(), s2_.run(v));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child dies, as if killed, after half of the bytes reached its temp file.
    std::size_t written = 0;
    const std::size_t half = old_bytes_.size() / 2;
    vs::io::write_safetensors_file(path_, values, {}, [&](vs::io::ByteSink file) {
      return [&, file](std::span<const std::byte> bytes) {
        if (written + bytes.size() > half) {
          file(bytes.first(half - written));
          ::_exit(42);
        }
        file(bytes);
        written += bytes.size();
      };
    });
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 42);
  EXPECT_EQ(read_bytes(path_), old_bytes_);
  // The temp file was anonymous: a process that dies mid-write leaves nothing behind.
  EXPECT_EQ(dir_.entries(), std::vector<std::string>{"ckpt.safetensors"});
  expect_old_file_intact();
}

TEST_F(CheckpointAtomicSave, UninitializedVariableFailsBeforeTheFileIsTouched) {
  Model m3("v_scope", 3);
  vs::Session s3(m3.g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] {
              vs::Saver(m3.g).save(s3, path_);
            }).find("Attempting to use uninitialized value"),
            0u);
  expect_old_file_intact();
}

TEST_F(CheckpointAtomicSave, RenameOntoADirectoryIsAnInternalErrorAndLeavesNoTempFile) {
  fs::create_directory(dir_.file("adir.safetensors"));
  const std::string msg = error_of<vs::InternalError>(
      [&] { vs::Saver(m2_.g).save(s2_, dir_.file("adir.safetensors")); });
  EXPECT_EQ(msg.find("rename("), 0u) << msg;
  EXPECT_NE(msg.find("Is a directory"), std::string::npos) << msg;
  EXPECT_EQ(dir_.entries(), (std::vector<std::string>{"adir.safetensors", "ckpt.safetensors"}));
}

TEST_F(CheckpointAtomicSave, MissingDirectoryIsNotFound) {
  const std::string target = dir_.file("no/such/dir/ckpt.safetensors");
  const std::string msg = error_of<vs::NotFoundError>([&] { vs::Saver(m2_.g).save(s2_, target); });
  EXPECT_NE(msg.find(target), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
}
