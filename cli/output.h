#pragma once
// Text or JSON output (--output-format, a pct extension; shapes from cli.md §4).
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command_line.h"

namespace pct::cli {

enum class OutputFormat { Text, Json, JsonPretty };

OutputFormat output_format(const ParsedArgs& args);
void print_json(const nlohmann::json& value, OutputFormat format);

// Config value typed as the API returns it: integers and booleans as numbers.
nlohmann::json typed_config_value(const std::string& key, const std::string& value);

}  // namespace pct::cli
