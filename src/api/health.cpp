#include "api/health.hpp"

#include <spdlog/spdlog.h>
#include <sys/sysinfo.h>

#include <boost/json.hpp>

namespace sockudo::api {

namespace {

transport::HttpResponse health(int status, std::string_view state) {
    transport::HttpResponse r;
    r.status = status;
    r.content_type = "text/plain";
    r.body = std::string(state);
    r.headers.emplace_back("X-Health-Check", std::string(state));
    return r;
}

boost::json::object memory_object() {
    struct sysinfo info {};
    ::sysinfo(&info);
    const uint64_t unit = info.mem_unit == 0 ? 1 : info.mem_unit;
    const uint64_t total = static_cast<uint64_t>(info.totalram) * unit;
    const uint64_t free = static_cast<uint64_t>(info.freeram + info.bufferram) * unit;
    const uint64_t used = total > free ? total - free : 0;
    boost::json::object memory;
    memory["free"] = free;
    memory["used"] = used;
    memory["total"] = total;
    memory["percent"] =
        total == 0 ? 0.0 : static_cast<double>(used) * 100.0 / static_cast<double>(total);
    return memory;
}

// Message history is not implemented; the objects are still present so dashboards written
// against Sockudo's /stats find every key (operations.md §6.5).
boost::json::object history_disabled() {
    return boost::json::object{{"enabled", false},
                               {"backend", "none"},
                               {"state_authority", "disabled"},
                               {"degraded_channels", 0},
                               {"reset_required_channels", 0},
                               {"queue_depth", 0}};
}

}  // namespace

transport::HttpResponse plain_ok() {
    transport::HttpResponse r;
    r.content_type = "text/plain";
    r.body = "OK";
    return r;
}

transport::HttpResponse not_found() {
    transport::HttpResponse r;
    r.status = 404;
    r.content_type = "text/plain";
    r.body = "404 NOT FOUND";
    return r;
}

transport::HttpResponse live() {
    transport::HttpResponse r;
    r.content_type = "";
    return r;
}

transport::HttpResponse up(core::Engine& engine, const std::string* app_id, const core::AppPtr& app,
                           core::LookupStatus status) {
    if (engine.draining()) return health(503, "DRAINING");
    auto& apps = engine.apps();
    if (app_id == nullptr) {
        // With a database the apps live there, possibly none loaded yet: only the memory
        // driver can say "no apps configured".
        if (!apps.database_backed() && apps.size() == 0) {
            spdlog::warn("/up: no apps configured");
            return health(503, "ERROR");
        }
    } else {
        if (status == core::LookupStatus::Busy) {
            spdlog::warn("/up/{}: app lookup queue full", *app_id);
            return health(503, "ERROR");
        }
        if (!app) return health(404, "NOT_FOUND");
        if (!app->app().enabled) {
            spdlog::warn("/up/{}: app is disabled", *app_id);
            return health(503, "ERROR");
        }
    }
    if (!apps.store_healthy()) {
        spdlog::warn("/up: app store unavailable: {}", apps.store_error());
        return health(503, "ERROR");
    }
    // A clustered node whose broker is unreachable (or that fell back to local) still serves its
    // own sockets: DEGRADED with 200, so a broker outage does not empty the load balancer.
    if (engine.options().adapter.driver != config::AdapterDriver::Local &&
        (engine.cluster() == nullptr || !engine.cluster()->healthy())) {
        return health(200, "DEGRADED");
    }
    // A shared cache that cannot be reached: cache channels are served from this node's copy.
    if (!engine.channel_cache().healthy()) return health(200, "DEGRADED");
    // The local adapter and the memory cache are always healthy.
    return health(200, "OK");
}

transport::HttpResponse usage() {
    boost::json::object body;
    body["memory"] = memory_object();
    transport::HttpResponse r;
    r.body = boost::json::serialize(body);
    return r;
}

transport::HttpResponse stats(core::Engine& engine) {
    boost::json::object body;
    body["memory"] = memory_object();
    body["history"] = history_disabled();
    body["presence_history"] = history_disabled();
    boost::json::array apps;
    uint64_t connections = 0, users = 0, channels = 0, subscriptions = 0;
    uint64_t presence_channels = 0, presence_subscriptions = 0, presence_members = 0;
    for (const auto& app : engine.apps().all()) {
        auto list = app->channels.channels("");
        uint64_t app_subs = 0, app_pc = 0, app_ps = 0, app_pm = 0;
        for (const auto& c : list) {
            app_subs += c.subscription_count;
            if (c.name.rfind("presence-", 0) == 0) {
                ++app_pc;
                app_ps += c.subscription_count;
                app_pm += c.user_count;
            }
        }
        const uint64_t app_connections =
            static_cast<uint64_t>(std::max<int64_t>(0, app->connections.load()));
        const uint64_t app_users = app->users.user_count();
        boost::json::object occupancy{{"channels", list.size()},
                                      {"subscriptions", app_subs},
                                      {"presence_channels", app_pc},
                                      {"presence_subscriptions", app_ps},
                                      {"presence_members", app_pm}};
        if (app_connections > 0 || !list.empty()) {
            apps.push_back(boost::json::object{{"app_id", app->app().id},
                                               {"connections", app_connections},
                                               {"authenticated_connections", app_users},
                                               {"users", app_users},
                                               {"connections_with_meta", 0},
                                               {"occupancy", occupancy}});
        }
        connections += app_connections;
        users += app_users;
        channels += list.size();
        subscriptions += app_subs;
        presence_channels += app_pc;
        presence_subscriptions += app_ps;
        presence_members += app_pm;
    }
    body["totals"] = boost::json::object{
        {"apps", engine.apps().size()},
        {"connections", connections},
        {"authenticated_connections", users},
        {"users", users},
        {"connections_with_meta", 0},
        {"occupancy", boost::json::object{{"channels", channels},
                                          {"subscriptions", subscriptions},
                                          {"presence_channels", presence_channels},
                                          {"presence_subscriptions", presence_subscriptions},
                                          {"presence_members", presence_members}}}};
    body["apps"] = std::move(apps);
    // Ours: lets operators (and tests) see whether app lookups reach the database.
    body["app_store"] = boost::json::object{{"database", engine.apps().database_backed()},
                                            {"healthy", engine.apps().store_healthy()},
                                            {"queries", engine.apps().store_queries()}};
    transport::HttpResponse r;
    r.body = boost::json::serialize(body);
    return r;
}

}  // namespace sockudo::api
