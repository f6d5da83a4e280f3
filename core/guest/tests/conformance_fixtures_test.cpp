// Replays every conformance fixture (shared/conformance/setup) against the
// in-memory guest, twice, like run-setup-tests does with the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/guest/tests/guest_test_support.h"

namespace pct::guest::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

void load_tree(const fs::path& root, MemoryGuestFs& guest) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        std::string path = "/" + fs::relative(entry.path(), root).string();
        if (entry.is_symlink()) {
            guest.add_symlink(path, fs::read_symlink(entry.path()).string());
        } else if (entry.is_directory()) {
            guest.add_directory(path);
        } else {
            std::string content = slurp(entry.path());
            // Copies made without symlink support store the link target as
            // file content; test-debian-013's /etc/hosts is such a link.
            if (content == "../../bad-path.txt") {
                guest.add_symlink(path, content);
            } else {
                guest.add_file(path, content);
            }
        }
    }
}

class GuestConformanceFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(GuestConformanceFixture, MatchesExpectedFilesAfterEachOfTwoRuns) {
    fs::path fixture = fs::path(PCT_CONFORMANCE_DIR) / "setup" / GetParam();
    GuestSetupHarness harness;
    load_tree(fixture, harness.fs);
    harness.inputs.root_password = RootPassword{"$5$SALT$PASS", true};
    harness.inputs.ssh_public_keys = "ssh-rsa ABCDEFG ABC@DEF\n";
    std::string config = slurp(fixture / "config");

    for (int run = 1; run <= 2; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        harness.run(config);
        for (const auto& entry : fs::recursive_directory_iterator(fixture)) {
            if (entry.path().extension() != ".exp") continue;
            std::string target = "/" + fs::relative(entry.path(), fixture).replace_extension("").string();
            if (target == "/etc/rc.d/rc.sysinit") continue;  // not compared by the reference suite either
            std::string expected = replace_all(slurp(entry.path()), "@DAYS@", std::to_string(kTestNow / 86400));
            const auto* produced = harness.fs.entry(target);
            ASSERT_NE(produced, nullptr) << target;
            EXPECT_EQ(produced->type, GuestFileType::Regular) << target;
            EXPECT_EQ(produced->data, expected) << target;
        }
    }
}

std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    fs::path setup = fs::path(PCT_CONFORMANCE_DIR) / "setup";
    if (!fs::is_directory(setup)) return names;
    for (const auto& entry : fs::directory_iterator(setup)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

INSTANTIATE_TEST_SUITE_P(GuestSetupFixtures, GuestConformanceFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GuestConformanceFixture);

}  // namespace
}  // namespace pct::guest::testing
