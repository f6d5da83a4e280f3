#include "core/guest/managed_section.h"

#include <gtest/gtest.h>

namespace pct::guest {
namespace {

using Action = SectionEdit::Action;

TEST(GuestManagedSection, NewFileGetsOnlyTheSection) {
    auto edit = edit_managed_section(std::nullopt, "a\nb", SectionPlacement::Append, false);
    EXPECT_EQ(edit.action, Action::Write);
    EXPECT_EQ(edit.content, "# --- BEGIN PVE ---\na\nb\n# --- END PVE ---\n");
    EXPECT_TRUE(edit.use_given_mode);
}

TEST(GuestManagedSection, NothingToWriteForAMissingFileAndNoData) {
    EXPECT_EQ(edit_managed_section(std::nullopt, "", SectionPlacement::Append, true).action, Action::Keep);
}

TEST(GuestManagedSection, AppendPrependAndReplaceAFileWithoutSection) {
    std::string old = "user line\n\n\n";
    EXPECT_EQ(edit_managed_section(old, "x\n", SectionPlacement::Append, false).content,
              "user line\n# --- BEGIN PVE ---\nx\n# --- END PVE ---\n");
    EXPECT_EQ(edit_managed_section(old, "x\n", SectionPlacement::Prepend, false).content,
              "# --- BEGIN PVE ---\nx\n# --- END PVE ---\nuser line\n");
    EXPECT_EQ(edit_managed_section(old, "x\n", SectionPlacement::Replace, false).content,
              "# --- BEGIN PVE ---\nx\n# --- END PVE ---\n");
}

TEST(GuestManagedSection, EmptyFileBecomesANewlineBeforeTheSection) {
    EXPECT_EQ(edit_managed_section("", "x\n", SectionPlacement::Append, false).content,
              "\n# --- BEGIN PVE ---\nx\n# --- END PVE ---\n");
}

TEST(GuestManagedSection, ExistingSectionIsReplacedInPlaceWithDefaultMode) {
    std::string old = "before\n#---BEGIN PVE---\nold\n# --- end pve ---\nafter\n";
    auto edit = edit_managed_section(old, "new\n", SectionPlacement::Replace, false);
    EXPECT_EQ(edit.content, "before\n# --- BEGIN PVE ---\nnew\n# --- END PVE ---\nafter\n");
    EXPECT_FALSE(edit.use_given_mode);
}

TEST(GuestManagedSection, LowercaseBeginIsNotAMarker) {
    std::string old = "# --- begin pve ---\nx\n# --- END PVE ---\n";
    EXPECT_EQ(edit_managed_section(old, "y\n", SectionPlacement::Append, false).content,
              old + "# --- BEGIN PVE ---\ny\n# --- END PVE ---\n");
}

TEST(GuestManagedSection, EmptyDataEmptiesOrRemovesTheSection) {
    std::string whole = "# --- BEGIN PVE ---\nold\n# --- END PVE ---\n";
    EXPECT_EQ(edit_managed_section(whole, "", SectionPlacement::Prepend, true).action, Action::Remove);
    EXPECT_EQ(edit_managed_section(whole, "", SectionPlacement::Prepend, false).action, Action::Keep);
    std::string shared = "# --- BEGIN PVE ---\nold\n# --- END PVE ---\nuser\n";
    EXPECT_EQ(edit_managed_section(shared, "", SectionPlacement::Prepend, true).content,
              "# --- BEGIN PVE ---\n# --- END PVE ---\n\nuser\n");
    EXPECT_EQ(edit_managed_section("user\n", "", SectionPlacement::Prepend, true).action, Action::Keep);
}

TEST(GuestManagedSection, RemoveSectionsCutsFromFirstBeginToLastEnd) {
    std::string text = "a\n  # --- BEGIN PVE ---\nb\n# --- END PVE ---\nc\n\t# --- END PVE --- x\nd\n";
    EXPECT_EQ(remove_managed_sections(text), "a\n\nd\n");
    EXPECT_EQ(remove_managed_sections("a\n# --- BEGIN PVE ---\nb\n"), "a\n# --- BEGIN PVE ---\nb\n");
}

}  // namespace
}  // namespace pct::guest
