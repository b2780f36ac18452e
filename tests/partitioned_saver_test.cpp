// Checkpoints of partitioned variables (issue 26): placeholder, filled below.
#include <gtest/gtest.h>
