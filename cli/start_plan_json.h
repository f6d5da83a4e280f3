#pragma once
// `pct start --dry-run` output: the start plan as JSON (a stable interface,
// documented in docs/start-plan.md) or as readable text.
#include <nlohmann/json.hpp>
#include <string>

#include "core/start_plan.h"

namespace pct::cli {

inline constexpr int kStartPlanJsonVersion = 1;

nlohmann::json start_plan_to_json(const StartPlan& plan);

// One step per line, grouped by concern, in the order the runtime applies
// them. Warnings are not included (the CLI prints them on stderr).
std::string format_start_plan_text(const StartPlan& plan);

}  // namespace pct::cli
