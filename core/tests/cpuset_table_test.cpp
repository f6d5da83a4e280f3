#include "core/cpuset_table.h"

#include <gtest/gtest.h>

namespace pct {
namespace {

TEST(CpusetTable, TheSpecsExample) {
    EXPECT_EQ(format_cpusets({{102, {6, 7}}, {105, {2, 3, 4, 5}}}),
              "---------------------\n"
              "102:              6 7\n"
              "105:      2 3 4 5\n"
              "---------------------\n");
}

TEST(CpusetTable, IdsRightAlignedAndWideNumbersPadded) {
    EXPECT_EQ(format_cpusets({{100, {0}}, {1000, {1, 10}}}),
              "-----------------------------\n"
              " 100:  0\n"
              "1000:    1                 10\n"
              "-----------------------------\n");
}

TEST(CpusetTable, NothingRunning) { EXPECT_EQ(format_cpusets({}), "no running containers\n"); }

}  // namespace
}  // namespace pct
