#include "cli/command_line.h"

#include <boost/program_options.hpp>
#include <sstream>

#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/value_formats.h"

namespace po = boost::program_options;

namespace pct::cli {

namespace {

const OptionDef kOutputFormat{"output-format", OptionKind::Value,
                              "Output format: text (default), json or json-pretty (pct extension)."};

std::vector<const OptionDef*> all_options(const CommandSpec& spec) {
    std::vector<const OptionDef*> options;
    for (const auto& option : spec.options) options.push_back(&option);
    if (spec.config_options)
        for (const auto& option : config_option_defs()) options.push_back(&option);
    if (spec.output_format) options.push_back(&kOutputFormat);
    return options;
}

const OptionDef* resolve_option(const std::vector<const OptionDef*>& options, const std::string& name) {
    const OptionDef* match = nullptr;
    int prefix_matches = 0;
    for (const OptionDef* option : options) {
        if (option->name == name) return option;
        if (option->name.compare(0, name.size(), name) == 0) {
            match = option;
            ++prefix_matches;
        }
    }
    return prefix_matches == 1 ? match : nullptr;
}

[[noreturn]] void unknown_option(const std::string& name, const CommandSpec& spec) {
    throw UserError("Unknown option: " + name + "\n400 unable to parse option\n" + command_usage(spec, false));
}

bool looks_like_option(const std::string& token) {
    return token.size() > 1 && token[0] == '-' && !(std::isdigit(static_cast<unsigned char>(token[1])));
}

}  // namespace

const std::vector<OptionDef>& config_option_defs() {
    static const std::vector<OptionDef> defs = [] {
        std::vector<OptionDef> out;
        for (const auto& spec : option_schema()) {
            if (!spec.settable) continue;
            OptionKind kind = spec.type == ValueType::Boolean ? OptionKind::Boolean : OptionKind::Value;
            if (spec.index_count == 0) {
                out.push_back({spec.name, kind, spec.description});
                continue;
            }
            for (int i = 0; i < spec.index_count; ++i) out.push_back({spec.name + std::to_string(i), kind, spec.description});
        }
        return out;
    }();
    return defs;
}

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

bool ParsedArgs::flag(const std::string& name) const {
    auto value = get(name);
    return value && *value == "1";
}

std::vector<std::string> ParsedArgs::list(const std::string& name) const {
    std::vector<std::string> items;
    auto it = options.find(name);
    if (it == options.end()) return items;
    for (const auto& value : it->second)
        for (auto& item : split_list(value)) items.push_back(std::move(item));
    return items;
}

ParsedArgs parse_command_line(const CommandSpec& spec, const std::vector<std::string>& args) {
    auto options = all_options(spec);

    // Pass 1: resolve names and optional boolean values, producing
    // unambiguous "--name=value" tokens for Boost.Program_options.
    std::vector<std::string> normalized;
    std::vector<std::string> positionals;
    std::vector<std::string> order;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& token = args[i];
        if (token == "--") {
            positionals.insert(positionals.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        }
        if (!looks_like_option(token)) {
            positionals.push_back(token);
            continue;
        }
        std::string body = token.substr(token[1] == '-' ? 2 : 1);
        std::optional<std::string> value;
        if (auto eq = body.find('='); eq != std::string::npos) {
            value = body.substr(eq + 1);
            body.resize(eq);
        }
        const OptionDef* option = resolve_option(options, body);
        if (!option) unknown_option(body, spec);
        if (!value) {
            if (option->kind == OptionKind::Boolean) {
                // As in Proxmox, a bare flag followed by a non-option takes it
                // as its value ("--force 100" fails; put flags last).
                if (i + 1 < args.size() && !looks_like_option(args[i + 1]) && args[i + 1] != "--") value = args[++i];
                else value = "1";
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                throw ParameterError({option->name + ": option requires a value"});
            }
        }
        if (option->kind == OptionKind::Boolean) {
            auto normal = normalize_boolean(*value);
            if (!normal) throw ParameterError({option->name + ": unable to parse boolean option"});
            value = *normal;
        }
        normalized.push_back("--" + option->name + "=" + *value);
        order.push_back(option->name);
    }

    // Pass 2: Boost.Program_options stores the values.
    po::options_description description;
    for (const OptionDef* option : options) {
        auto semantic = po::value<std::vector<std::string>>();
        description.add_options()(option->name.c_str(), semantic);
    }
    po::variables_map variables;
    try {
        po::store(po::command_line_parser(normalized).options(description).style(po::command_line_style::unix_style).run(),
                  variables);
    } catch (const po::error& e) {
        throw UserError(std::string(e.what()) + "\n400 unable to parse option\n" + command_usage(spec, false));
    }

    ParsedArgs parsed;
    parsed.option_order = std::move(order);
    for (const auto& [name, value] : variables) {
        auto values = value.as<std::vector<std::string>>();
        const OptionDef* option = resolve_option(options, name);
        if (option && option->kind != OptionKind::List && values.size() > 1)
            throw ParameterError({name + ": option given more than once"});
        parsed.options[name] = std::move(values);
    }
    if (auto format = parsed.get("output-format"); format && *format != "text" && *format != "json" && *format != "json-pretty")
        throw ParameterError({"output-format: value '" + *format + "' does not have a value in the enumeration 'text, json, json-pretty'"});

    if (positionals.size() < spec.required_positionals) throw UserError("400 not enough arguments\n" + command_usage(spec, false));
    if (positionals.size() > spec.positionals.size()) throw UserError("400 too many arguments\n" + command_usage(spec, false));
    parsed.positionals = std::move(positionals);
    return parsed;
}

std::string command_usage(const CommandSpec& spec, bool verbose) {
    std::ostringstream out;
    out << "USAGE: pct " << spec.name;
    for (size_t i = 0; i < spec.positionals.size(); ++i)
        out << (i < spec.required_positionals ? " <" : " [<") << spec.positionals[i] << (i < spec.required_positionals ? ">" : ">]");
    if (!spec.options.empty() || spec.config_options || spec.output_format) out << " [OPTIONS]";
    if (!verbose) return out.str();
    out << "\n\n  " << spec.summary << "\n";
    if (!spec.available) out << "\n  (not available yet in this version of pct)\n";
    po::options_description description("Options", 100, 50);
    auto add = [&](const OptionDef& option) {
        std::string value = option.kind == OptionKind::Boolean ? " <boolean>" : option.kind == OptionKind::List ? " <list>" : " <string>";
        description.add_options()((option.name + value).c_str(), option.description.c_str());
    };
    for (const auto& option : spec.options) add(option);
    if (spec.config_options) {
        for (const auto& schema : option_schema()) {
            if (!schema.settable) continue;
            std::string name = schema.index_count ? schema.name + "[n]" : schema.name;
            std::string text = schema.description;
            if (schema.index_count) text += " (n = 0.." + std::to_string(schema.index_count - 1) + ")";
            if (!schema.default_value.empty()) text += " Default: " + schema.default_value + ".";
            add({name, schema.type == ValueType::Boolean ? OptionKind::Boolean : OptionKind::Value, text});
        }
    }
    if (spec.output_format) add(kOutputFormat);
    if (!description.options().empty()) out << "\n" << description;
    return out.str();
}

}  // namespace pct::cli
