// libFuzzer target for the config file model: the lenient parser, the
// canonical writer, property strings and option validation.
//
// Invariants checked (a violation traps, so libFuzzer saves the input):
// - nothing but pct::UserError escapes (any other exception aborts);
// - the writer's output is a fixed point: write(parse(write(x))) == write(x),
//   whenever the first write succeeds (it rejects values with newlines).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/config_file.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"

namespace {

constexpr int kVmid = 100;

void report_mismatch(const std::string& first, const std::string& second) {
    std::fprintf(stderr, "config round trip is not stable\n--- write(parse(input))\n%s\n--- write(parse(write(parse(input))))\n%s\n---\n",
                 first.c_str(), second.c_str());
}

void check_round_trip(const pct::ContainerConfig& config) {
    std::string first;
    try {
        first = pct::write_config(config);
    } catch (const pct::UserError&) {
        return;  // a value with a newline: the writer refuses it, as documented
    }
    std::string second;
    try {
        second = pct::write_config(pct::parse_config(first, kVmid).config);
    } catch (const pct::UserError& e) {
        // The writer's own output must never be rejected by the writer.
        std::fprintf(stderr, "re-writing the writer's output threw: %s\n", e.what());
        report_mismatch(first, "");
        __builtin_trap();
    }
    if (first != second) {
        report_mismatch(first, second);
        __builtin_trap();
    }
}

const pct::PropertyFormat* const* property_formats() {
    static const pct::PropertyFormat* const formats[] = {
        &pct::rootfs_format(), &pct::mount_point_format(), &pct::network_format(),
        &pct::features_format(), &pct::device_format(), nullptr,
    };
    return formats;
}

void exercise_property_string(std::string_view value) {
    for (auto format = property_formats(); *format; ++format) {
        try {
            pct::PropertyMap map = pct::parse_property_string(value, **format);
            (void)pct::validate_property_map(map, **format);
            (void)pct::print_property_string(map, **format);
        } catch (const pct::UserError&) {
        }
    }
}

void exercise_option(std::string_view key, std::string_view value) {
    try {
        (void)pct::validate_option(key, value);
    } catch (const pct::UserError&) {
    }
}

void exercise_section(const pct::ConfigSection& section) {
    for (const auto& [key, value] : section.values) {
        exercise_option(key, value);
        exercise_property_string(value);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    pct::ParsedConfig parsed;
    try {
        parsed = pct::parse_config(text, kVmid);
    } catch (const pct::UserError&) {
        return 0;  // the parser is lenient and should not throw, but a UserError is allowed
    }
    check_round_trip(parsed.config);

    exercise_section(parsed.config.main);
    exercise_section(parsed.config.pending);
    for (const auto& [name, section] : parsed.config.snapshots) exercise_section(section);

    // Raw pieces that the config syntax would have trimmed or rejected:
    // each line as a property string, and "key: value" lines as options.
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        exercise_property_string(line);
        if (size_t colon = line.find(':'); colon != std::string_view::npos) exercise_option(line.substr(0, colon), line.substr(colon + 1));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return 0;
}
