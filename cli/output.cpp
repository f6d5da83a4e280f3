#include "cli/output.h"

#include <cstdio>

#include "core/option_schema.h"

namespace pct::cli {

OutputFormat output_format(const ParsedArgs& args) {
    auto format = args.get("output-format");
    if (!format || *format == "text") return OutputFormat::Text;
    return *format == "json" ? OutputFormat::Json : OutputFormat::JsonPretty;
}

void print_json(const nlohmann::json& value, OutputFormat format) {
    std::string text = value.dump(format == OutputFormat::JsonPretty ? 4 : -1);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

nlohmann::json typed_config_value(const std::string& key, const std::string& value) {
    const OptionSpec* spec = find_option(key);
    if (!spec) return value;
    try {
        switch (spec->type) {
            case ValueType::Boolean:
            case ValueType::Integer:
                return std::stoll(value);
            case ValueType::Number:
                return std::stod(value);
            case ValueType::String:
                break;
        }
    } catch (const std::exception&) {
        // A value that failed its check is shown as the string it is.
    }
    return value;
}

}  // namespace pct::cli
