#include "apps/app_row.hpp"

#include <boost/json.hpp>

#include "apps/app_store.hpp"
#include "config/app_record.hpp"
#include "config/key_reader.hpp"
#include "config/load.hpp"

namespace sockudo::apps {

namespace json = boost::json;

namespace {

constexpr size_t kId = 0, kSecret = 2, kPolicy = 18, kWebhooks = 19, kOrigins = 20;
constexpr std::string_view kBooleanColumns[] = {
    "enable_client_messages", "enabled", "enable_user_authentication", "enable_watchlist_events"};

bool is_boolean_column(std::string_view name) {
    for (auto b : kBooleanColumns) {
        if (b == name) return true;
    }
    return false;
}

// PostgreSQL answers t/f, MySQL and SQLite 1/0.
bool parse_bool(const std::string& v) {
    return v == "t" || v == "1" || v == "true" || v == "TRUE";
}

json::value parse_json_column(const std::string& text, std::string_view column,
                              const std::string& id) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) {
        throw config::ConfigError("applications row " + id + ": column " + std::string(column) +
                                  " is not valid JSON");
    }
    return v;
}

std::optional<std::string> number(std::optional<int64_t> v) {
    // Unsigned columns in MySQL; the policy column carries "unlimited" exactly.
    if (!v || *v < 0) return std::nullopt;
    return std::to_string(*v);
}

std::string flag(bool b) {
    return b ? "1" : "0";
}

}  // namespace

config::App app_from_row(const Row& row) {
    if (row.size() != kColumns.size() || !row[kId]) {
        throw config::ConfigError("applications row without an id");
    }
    const std::string& id = *row[kId];
    json::object record;
    for (size_t i = 0; i < kColumns.size(); ++i) {
        if (!row[i]) continue;
        const std::string& text = *row[i];
        const std::string_view column = kColumns[i];
        if (i == kPolicy || i == kWebhooks || i == kOrigins) {
            json::value v = parse_json_column(text, column, id);
            if (!v.is_null()) record[column] = std::move(v);
        } else if (is_boolean_column(column)) {
            record[column] = parse_bool(text);
        } else {
            record[column] = text;  // numbers are read from numeric strings, as in files
        }
    }
    if (record.contains("policy")) {
        // A non-NULL policy is complete: the scalar and JSON columns are ignored (§2.3).
        for (size_t i = kSecret + 1; i < kColumns.size(); ++i) {
            if (kColumns[i] != "enabled" && i != kPolicy) record.erase(kColumns[i]);
        }
    }
    config::KeyTracker tracker;
    return config::read_app(config::Section(record, "applications[id=" + id + "]", tracker));
}

Row row_from_app(const config::App& app) {
    const config::AppLimits& l = app.limits;
    json::object policy = config::app_policy_json(app);
    json::array origins;
    for (const auto& o : app.allowed_origins) origins.emplace_back(o);
    return Row{app.id,
               app.key,
               app.secret,
               std::to_string(std::max<int64_t>(0, l.max_connections)),
               flag(app.enable_client_messages),
               flag(app.enabled),
               number(l.max_backend_events_per_second),
               std::to_string(std::max<int64_t>(0, l.max_client_events_per_second)),
               number(l.max_read_requests_per_second),
               number(l.max_presence_members_per_channel),
               number(l.max_presence_member_size_in_kb),
               number(l.max_channel_name_length),
               number(l.max_event_channels_at_once),
               number(l.max_event_name_length),
               number(l.max_event_payload_in_kb),
               number(l.max_event_batch_size),
               flag(app.enable_user_authentication),
               flag(app.enable_watchlist_events),
               json::serialize(policy),
               json::serialize(policy["webhooks"]),
               json::serialize(origins)};
}

void check_table_name(const std::string& key, const std::string& name) {
    bool ok = !name.empty() && name.size() <= 64;
    for (char c : name) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_');
    }
    if (!ok) {
        throw config::ConfigError("invalid value for " + key + ": \"" + name +
                                  "\" (letters, digits and _ only, at most 64)");
    }
}

std::string column_list(char quote) {
    std::string out;
    for (auto c : kColumns) {
        if (!out.empty()) out += ", ";
        out += quote;
        out += c;
        out += quote;
    }
    return out;
}

}  // namespace sockudo::apps
