// The default app from SOCKUDO_DEFAULT_APP_* and the inline-app switches (operations.md §1.6).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "config/env_options.hpp"
#include "config/env_values.hpp"
#include "config/origin_pattern.hpp"

namespace sockudo::config {

namespace {

constexpr const char* kPrefix = "SOCKUDO_DEFAULT_APP_";
constexpr int64_t kMaxU32 = 4294967295LL;
// Sockudo gives every limit of the env app this value when its variable is unset.
constexpr int64_t kEnvAppLimitDefault = 100;

class DefaultAppEnv {
public:
    DefaultAppEnv(const EnvLookup& env, Options& o) : env_(env), o_(o) {}

    std::optional<std::string> get(const std::string& suffix) const {
        return env_(kPrefix + suffix);
    }

    // nullopt when unset; a value that is not a boolean is reported and treated as unset.
    std::optional<bool> flag(const std::string& name) {
        auto v = env_(name);
        if (!v) return std::nullopt;
        auto b = parse_env_bool(*v);
        if (!b)
            o_.warnings.push_back(name + "=" + quote_env_value(*v) + " is not a boolean; ignored");
        return b;
    }

    // A limit: unset or unparsable -> 100, negative -> unlimited.
    int64_t limit(const char* suffix) {
        const std::string name = kPrefix + std::string(suffix);
        auto v = env_(name);
        if (!v) {
            defaulted_.push_back(suffix);
            return kEnvAppLimitDefault;
        }
        auto n = parse_env_integer(*v);
        if (!n || *n > kMaxU32) {
            o_.warnings.push_back(name + "=" + quote_env_value(*v) + " is not an integer; using " +
                                  std::to_string(kEnvAppLimitDefault));
            return kEnvAppLimitDefault;
        }
        return *n < 0 ? AppLimits::kUnlimited : *n;
    }

    // The limits that fell back to 100, for one warning (the cap surprises operators).
    const std::vector<std::string>& defaulted() const { return defaulted_; }

private:
    const EnvLookup& env_;
    Options& o_;
    std::vector<std::string> defaulted_;
};

App build_env_app(DefaultAppEnv& e, Options& o, std::string id, std::string key,
                  std::string secret) {
    App app;
    app.id = std::move(id);
    app.key = std::move(key);
    app.secret = std::move(secret);
    app.enabled = true;
    AppLimits& l = app.limits;
    // 0 means unlimited for these two, so "unlimited" from a negative value becomes 0.
    l.max_connections = std::max<int64_t>(0, e.limit("MAX_CONNECTIONS"));
    l.max_client_events_per_second = std::max<int64_t>(0, e.limit("MAX_CLIENT_EVENTS_PER_SECOND"));
    l.max_backend_events_per_second = e.limit("MAX_BACKEND_EVENTS_PER_SECOND");
    l.max_read_requests_per_second = e.limit("MAX_READ_REQUESTS_PER_SECOND");
    l.max_presence_members_per_channel = e.limit("MAX_PRESENCE_MEMBERS_PER_CHANNEL");
    l.max_presence_member_size_in_kb = e.limit("MAX_PRESENCE_MEMBER_SIZE_IN_KB");
    l.max_channel_name_length = e.limit("MAX_CHANNEL_NAME_LENGTH");
    l.max_event_channels_at_once = e.limit("MAX_EVENT_CHANNELS_AT_ONCE");
    l.max_event_name_length = e.limit("MAX_EVENT_NAME_LENGTH");
    l.max_event_payload_in_kb = e.limit("MAX_EVENT_PAYLOAD_IN_KB");
    l.max_event_batch_size = e.limit("MAX_EVENT_BATCH_SIZE");
    // Exactly true|1|yes|on enables client events; anything else leaves them off.
    if (auto v = e.get("ENABLE_CLIENT_MESSAGES")) {
        app.enable_client_messages = parse_env_bool(*v).value_or(false);
    } else {
        app.enable_client_messages = e.flag("SOCKUDO_ENABLE_CLIENT_MESSAGES").value_or(false);
    }
    app.enable_user_authentication =
        e.flag("SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION").value_or(false);
    app.enable_watchlist_events =
        e.flag("SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS").value_or(false);
    if (auto v = e.get("ALLOWED_ORIGINS")) {
        for (auto& item : split_env_list(*v)) {
            if (auto err = origin_pattern_error(item)) {
                o.warnings.push_back(
                    "SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS: invalid origin pattern " +
                    quote_env_value(item) + " ignored (" + *err + ")");
                continue;
            }
            app.allowed_origins.push_back(std::move(item));
        }
    }
    if (!e.defaulted().empty()) {
        std::string names;
        for (const auto& n : e.defaulted())
            names += (names.empty() ? "" : ", ") + std::string(kPrefix) + n;
        o.warnings.push_back(
            "default app " + app.id + " from the environment: " + names +
            " not set, so each of those limits is 100 (Sockudo's default for this app; "
            "a negative value means unlimited)");
    }
    return app;
}

}  // namespace

void apply_default_app_env(const EnvLookup& env, Options& o) {
    DefaultAppEnv e(env, o);
    const bool skip_inline = e.flag("SOCKUDO_SKIP_INLINE_APPS").value_or(false) ||
                             !e.flag("APP_MANAGER_REGISTER_INLINE_APPS").value_or(true);
    if (skip_inline) o.apps.clear();

    auto id = e.get("ID");
    auto key = e.get("KEY");
    auto secret = e.get("SECRET");
    const bool any = id || key || secret;
    const bool enabled = e.flag("SOCKUDO_DEFAULT_APP_ENABLED").value_or(true);
    // The environment's app replaces the file's apps, and ENABLED=false removes them.
    if (any || !enabled) o.apps.clear();
    if (!any || !enabled) return;

    std::string missing;
    std::string empty;
    for (auto [suffix, value] :
         {std::pair{"ID", &id}, std::pair{"KEY", &key}, std::pair{"SECRET", &secret}}) {
        std::string& list = !*value ? missing : empty;
        if (!*value || (*value)->empty())
            list += (list.empty() ? "" : ", ") + std::string(kPrefix) + suffix;
    }
    if (!missing.empty()) {
        throw ConfigError(
            "the default app needs SOCKUDO_DEFAULT_APP_ID, SOCKUDO_DEFAULT_APP_KEY and "
            "SOCKUDO_DEFAULT_APP_SECRET together; not set: " +
            missing);
    }
    if (!empty.empty()) throw ConfigError("the default app's " + empty + " must not be empty");
    o.apps.push_back(build_env_app(e, o, *id, *key, *secret));
}

}  // namespace sockudo::config
