#include "config/app_record.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <regex>
#include <tuple>

#include "config/load.hpp"
#include "config/origin_pattern.hpp"

namespace sockudo::config {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxU32 = 4294967295LL;
// std::regex compiles recursively; a bound keeps a hostile pattern from exhausting the stack.
constexpr size_t kMaxChannelPatternLength = 512;

// The limit, feature and channel keys of the flat form (and of policy.limits / .features /
// .channels in the nested form).
constexpr const char* kFlatKeys[] = {"max_connections",
                                     "max_client_events_per_second",
                                     "max_backend_events_per_second",
                                     "max_read_requests_per_second",
                                     "max_presence_members_per_channel",
                                     "max_presence_member_size_in_kb",
                                     "max_channel_name_length",
                                     "max_event_channels_at_once",
                                     "max_event_name_length",
                                     "max_event_payload_in_kb",
                                     "max_event_batch_size",
                                     "decay_seconds",
                                     "terminate_on_limit",
                                     "enable_client_messages",
                                     "enable_user_authentication",
                                     "enable_watchlist_events",
                                     "enable_subscription_count",
                                     "ssl_only",
                                     "allowed_origins",
                                     "webhooks"};

// Event names Sockudo can deliver (§7.2); anything else in event_types is likely a typo.
constexpr const char* kWebhookEventTypes[] = {
    "channel_occupied",    "channel_vacated",     "member_added",       "member_removed",
    "member_updated",      "client_event",        "cache_miss",         "subscription_count",
    "ai_run_started",      "ai_run_ended",        "ai_turn_started",    "ai_turn_ended",
    "ai_cancel_requested", "ai_stream_cancelled", "ai_stream_orphaned", "message_version_created",
    "annotation_created",  "annotation_deleted"};

// 0 or a negative value means "unlimited" for these two, as in Sockudo (u32, 0 = off).
void read_zero_is_unlimited(Section& s, const char* name, int64_t& out) {
    std::optional<int64_t> v;
    s.read_limit(name, v);
    if (v) out = *v < 0 ? 0 : *v;
}

void read_app_limits(Section& s, AppLimits& l) {
    read_zero_is_unlimited(s, "max_connections", l.max_connections);
    read_zero_is_unlimited(s, "max_client_events_per_second", l.max_client_events_per_second);
    s.read_limit("max_backend_events_per_second", l.max_backend_events_per_second);
    s.read_limit("max_read_requests_per_second", l.max_read_requests_per_second);
    s.read_limit("max_presence_members_per_channel", l.max_presence_members_per_channel);
    s.read_limit("max_presence_member_size_in_kb", l.max_presence_member_size_in_kb);
    s.read_limit("max_channel_name_length", l.max_channel_name_length);
    s.read_limit("max_event_channels_at_once", l.max_event_channels_at_once);
    s.read_limit("max_event_name_length", l.max_event_name_length);
    s.read_limit("max_event_payload_in_kb", l.max_event_payload_in_kb);
    s.read_limit("max_event_batch_size", l.max_event_batch_size);
    if (const json::value* v = s.value("decay_seconds")) {
        const int64_t n = json_integer(*v, s.key("decay_seconds"));
        if (n < 1 || n > kMaxU32) s.bad("decay_seconds", *v, "a window of at least 1 second");
        l.decay_seconds = n;
    }
    s.read("terminate_on_limit", l.terminate_on_limit);
}

void read_app_features(Section& s, App& app) {
    s.read("enable_client_messages", app.enable_client_messages);
    s.read("enable_user_authentication", app.enable_user_authentication);
    s.read("enable_watchlist_events", app.enable_watchlist_events);
    s.read("enable_subscription_count", app.enable_subscription_count);
    s.read("ssl_only", app.ssl_only);
}

void read_origins(Section& s, const char* name, std::vector<std::string>& out) {
    s.read_list(name, out);
    check_origin_patterns(s.key(name), out);
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void read_headers(Section& s, WebhookTarget& w) {
    const json::value* headers = s.value("headers");
    if (headers == nullptr) return;
    if (!headers->is_object()) s.bad("headers", *headers, "an object of header names to values");
    for (const auto& [name_view, value] : headers->get_object()) {
        const std::string name(name_view);
        const std::string key = s.key("headers") + "." + name;
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
            throw ConfigError("invalid value for " + s.key("headers") + ": header name \"" + name +
                              "\" is not a valid HTTP header name");
        }
        if (!value.is_string())
            throw ConfigError("invalid value for " + key + ": " + describe(value) +
                              " (expected a string)");
        const std::string text(value.get_string());
        // A raw CR or LF would let the value start a new header line in the request.
        if (text.find_first_of("\r\n", 0) != std::string::npos ||
            text.find('\0') != std::string::npos) {
            throw ConfigError("invalid value for " + key +
                              ": control characters are not allowed in header values");
        }
        w.headers.emplace_back(name, text);
    }
}

void read_filter(Section& filter, WebhookTarget& w) {
    // Sockudo's names first; Soketi's channel_name_starts_with / _ends_with are accepted too.
    for (auto [name, alias, out] :
         {std::tuple{"channel_prefix", "channel_name_starts_with", &w.filter_prefix},
          std::tuple{"channel_suffix", "channel_name_ends_with", &w.filter_suffix}}) {
        std::optional<std::string> canonical, legacy;
        filter.read(name, canonical);
        filter.read(alias, legacy);
        if (canonical && legacy && *canonical != *legacy) {
            throw ConfigError(filter.path() + ": " + name + " \"" + *canonical + "\" and " + alias +
                              " \"" + *legacy + "\" disagree (they are the same filter; keep one)");
        }
        *out = canonical ? canonical : legacy;
    }
    filter.read("channel_pattern", w.filter_pattern);
    if (w.filter_pattern) {
        const std::string& pattern = *w.filter_pattern;
        if (pattern.size() > kMaxChannelPatternLength) {
            throw ConfigError("invalid value for " + filter.key("channel_pattern") +
                              ": the pattern is longer than " +
                              std::to_string(kMaxChannelPatternLength) + " characters");
        }
        try {
            std::regex re(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            throw ConfigError("invalid value for " + filter.key("channel_pattern") + ": \"" +
                              pattern + "\" is not a valid regular expression (" + e.what() + ")");
        }
    }
    std::optional<std::string> one_namespace;
    filter.read("channel_namespace", one_namespace);
    filter.read_list("channel_namespaces", w.filter_namespaces);
    if (one_namespace) w.filter_namespaces.push_back(*one_namespace);
}

WebhookTarget read_webhook(Section& s) {
    WebhookTarget w;
    s.read("url", w.url);
    if (w.url.empty()) {
        const bool lambda = s.has("lambda") || s.has("lambda_function");
        throw ConfigError(
            s.path() +
            (lambda ? ": AWS Lambda webhook targets are not supported by this server (give a url)"
                    : ": a webhook needs a url"));
    }
    const bool http = w.url.rfind("http://", 0) == 0 && w.url.size() > 7;
    const bool https = w.url.rfind("https://", 0) == 0 && w.url.size() > 8;
    if ((!http && !https) || w.url.find_first_of(" \t\r\n") != std::string::npos) {
        throw ConfigError("invalid value for " + s.key("url") + ": \"" + w.url +
                          "\" (expected an http:// or https:// URL)");
    }
    const bool listed = s.has("event_types");
    s.read_list("event_types", w.event_types);
    if (w.event_types.empty()) {
        s.tracker().warn(s.path() +
                         (listed ? ": event_types is empty" : ": event_types is missing") +
                         ", so this endpoint receives no events");
    }
    for (const auto& type : w.event_types) {
        if (std::find(std::begin(kWebhookEventTypes), std::end(kWebhookEventTypes), type) ==
            std::end(kWebhookEventTypes)) {
            s.tracker().warn(s.key("event_types") + ": unknown event type \"" + type +
                             "\" (never sent)");
        }
    }
    if (auto filter = s.section("filter")) read_filter(*filter, w);
    read_headers(s, w);
    s.read("request_timeout_ms", w.request_timeout_ms);
    if (w.request_timeout_ms && *w.request_timeout_ms <= 0) {
        throw ConfigError("invalid value for " + s.key("request_timeout_ms") + ": " +
                          std::to_string(*w.request_timeout_ms) +
                          " (expected a positive number of milliseconds)");
    }
    return w;
}

void read_webhooks(Section& s, App& app) {
    for (Section& w : s.objects("webhooks")) app.webhooks.push_back(read_webhook(w));
}

}  // namespace

void check_origin_patterns(const std::string& key, const std::vector<std::string>& patterns) {
    for (const auto& pattern : patterns) {
        if (auto err = origin_pattern_error(pattern)) {
            throw ConfigError("invalid value for " + key + ": pattern \"" + pattern +
                              "\": " + *err);
        }
    }
}

App read_app(Section s) {
    App app;
    s.read("id", app.id);
    s.read("key", app.key);
    s.read("secret", app.secret);
    s.read("enabled", app.enabled);
    if (s.has("policy")) {
        // As in Sockudo, a policy section replaces the flat fields entirely.
        Section policy = *s.section("policy");
        if (auto limits = policy.section("limits")) read_app_limits(*limits, app.limits);
        if (auto features = policy.section("features")) read_app_features(*features, app);
        if (auto channels = policy.section("channels"))
            read_origins(*channels, "allowed_origins", app.allowed_origins);
        read_webhooks(policy, app);
        for (const char* flat : kFlatKeys) {
            if (s.skip(flat)) {
                s.tracker().warn("configuration key " + s.key(flat) +
                                 " is ignored because the app has a policy "
                                 "section (move it under policy)");
            }
        }
    } else {
        s.skip("policy");  // an explicit null
        read_app_limits(s, app.limits);
        read_app_features(s, app);
        read_origins(s, "allowed_origins", app.allowed_origins);
        read_webhooks(s, app);
    }
    for (auto [name, value] :
         {std::pair{"id", &app.id}, std::pair{"key", &app.key}, std::pair{"secret", &app.secret}}) {
        if (value->empty())
            throw ConfigError(s.path() + ": " + name +
                              " is required (id, key and secret must be non-empty)");
    }
    return app;
}

}  // namespace sockudo::config
