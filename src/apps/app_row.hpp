#pragma once
// Sockudo's `applications` table (operations.md §2.3): its columns, and the mapping between a
// row and config::App. Rows travel as text (every driver can read and bind text), NULL as
// nullopt.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/app.hpp"

namespace sockudo::apps {

using Row = std::vector<std::optional<std::string>>;

// The columns every query selects and every write fills, in this order.
inline constexpr std::array<std::string_view, 21> kColumns = {"id",
                                                              "key",
                                                              "secret",
                                                              "max_connections",
                                                              "enable_client_messages",
                                                              "enabled",
                                                              "max_backend_events_per_second",
                                                              "max_client_events_per_second",
                                                              "max_read_requests_per_second",
                                                              "max_presence_members_per_channel",
                                                              "max_presence_member_size_in_kb",
                                                              "max_channel_name_length",
                                                              "max_event_channels_at_once",
                                                              "max_event_name_length",
                                                              "max_event_payload_in_kb",
                                                              "max_event_batch_size",
                                                              "enable_user_authentication",
                                                              "enable_watchlist_events",
                                                              "policy",
                                                              "webhooks",
                                                              "allowed_origins"};

// JSON columns that older Sockudo schemas lack and migrations add (§2.3).
inline constexpr std::array<std::string_view, 6> kAddedJsonColumns = {
    "allowed_origins",     "webhooks", "channel_delta_compression", "idempotency",
    "connection_recovery", "policy"};
// Hand-made tables may lack the timestamps that writes set; migrations add them too.
inline constexpr std::array<std::string_view, 2> kTimestampColumns = {"created_at", "updated_at"};

// A non-NULL `policy` is the complete policy; otherwise the policy is assembled from the
// columns. Throws StoreError for a row this server cannot read (named by its id).
config::App app_from_row(const Row& row);
// The values to write: scalar columns and `policy` both filled, as Sockudo writes them.
Row row_from_app(const config::App& app);

// "applications", "sockudo_apps", …: identifiers are interpolated into SQL, so only
// [A-Za-z0-9_] is accepted. Throws config::ConfigError naming `key`.
void check_table_name(const std::string& key, const std::string& name);

// A comma-separated column list, each name wrapped in `quote` (" or `).
std::string column_list(char quote);

}  // namespace sockudo::apps
