#pragma once
// Operational endpoints of the main listener (operations.md §6.5).

#include <string>

#include "core/engine.hpp"
#include "transport/http_types.hpp"

namespace sockudo::api {

transport::HttpResponse plain_ok();
transport::HttpResponse not_found();
transport::HttpResponse live();
// Node readiness (app_id null) or one app's readiness, given the lookup's answer for app_id.
transport::HttpResponse up(core::Engine& engine, const std::string* app_id,
                           const core::AppPtr& app = nullptr,
                           core::LookupStatus status = core::LookupStatus::NotFound);
transport::HttpResponse usage();
transport::HttpResponse stats(core::Engine& engine);

}  // namespace sockudo::api
