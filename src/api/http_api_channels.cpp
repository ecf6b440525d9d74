// Channel queries and user termination (protocol-v1 §11.5–§11.8).
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>

#include "api/http_api.hpp"
#include "api/router.hpp"
#include "protocol/channel_name.hpp"

namespace sockudo::api {

namespace json = boost::json;

namespace {

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        size_t comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return out;
}

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

transport::HttpResponse ok_json(const json::value& body) {
    transport::HttpResponse r;
    r.body = json::serialize(body);
    return r;
}

std::optional<transport::HttpResponse> check_name(const core::AppRuntime& app,
                                                  const std::string& name) {
    size_t max_length = app.limits().max_channel_name_length > 0
                            ? static_cast<size_t>(app.limits().max_channel_name_length)
                            : SIZE_MAX;
    if (protocol::validate_channel_name(name, max_length) != protocol::ChannelNameError::None) {
        return json_error(400, "Invalid channel name");
    }
    return std::nullopt;
}

}  // namespace

uint64_t user_count(const core::AppRuntime& app, core::ClusterLink* link,
                    const std::string& channel) {
    auto members = app.channels.members(channel);
    if (link != nullptr) link->merge_remote_members(app, channel, members);
    return members.size();
}

transport::HttpResponse HttpApi::channels(ApiRequest& request) {
    const std::string* prefix_param = request.param("filter_by_prefix");
    const std::string prefix = prefix_param ? *prefix_param : "";
    const std::string* info_param = request.param("info");
    std::vector<std::string> info = info_param ? split(*info_param) : std::vector<std::string>{};
    if (has(info, "user_count") && prefix.rfind("presence-", 0) != 0) {
        return json_error(400, "info=user_count requires filter_by_prefix starting with presence-");
    }
    core::ClusterLink* link = engine_.cluster();
    return with_cluster(request, {core::ClusterQuery::ChannelsWithSocketsCount, {}, {}},
                        [app = request.app, prefix, info, link](const core::ClusterAnswer* remote) {
                            // Local channels, then the other nodes' (socket counts summed per
                            // channel).
                            std::map<std::string, uint64_t> counts;
                            for (const auto& summary : app->channels.channels(prefix)) {
                                counts[summary.name] += summary.subscription_count;
                            }
                            if (remote != nullptr) {
                                for (const auto& [name, n] : remote->channel_counts) {
                                    if (n > 0 && name.compare(0, prefix.size(), prefix) == 0)
                                        counts[name] += n;
                                }
                            }
                            json::object channels;
                            for (const auto& [name, count] : counts) {
                                if (name.empty() || name[0] == '#') continue;
                                json::object attrs;
                                if (has(info, "user_count"))
                                    attrs["user_count"] = user_count(*app, link, name);
                                if (has(info, "subscription_count"))
                                    attrs["subscription_count"] = count;
                                channels[name] = std::move(attrs);
                            }
                            return ok_json(json::object{{"channels", std::move(channels)}});
                        });
}

transport::HttpResponse HttpApi::channel(ApiRequest& request, const std::string& name) {
    if (auto bad = check_name(*request.app, name)) return *bad;
    const std::string* info_param = request.param("info");
    std::vector<std::string> info = info_param ? split(*info_param) : std::vector<std::string>{};
    const protocol::ChannelKind kind = protocol::classify_channel(name);
    if (has(info, "user_count") && !protocol::is_presence(kind)) {
        return json_error(400, "user_count is only available for presence channels");
    }
    if (has(info, "cache") && !kind.cache) {
        return json_error(400, "cache is only available for cache channels");
    }
    std::optional<core::CachedEvent> cached;
    if (has(info, "cache")) {
        core::ChannelCache& cache = engine_.channel_cache();
        if (cache.answers_later() && request.reply) {
            cache.get(request.app, name, nullptr,
                      [this, app = request.app, reply = request.reply, name,
                       info](std::optional<core::CachedEvent> c) {
                          transport::HttpResponse r;
                          try {
                              r = channel_answer(app, reply, name, info, std::move(c));
                          } catch (const std::exception&) {
                              r = json_error(500, "Internal server error");
                          }
                          if (r.status != 0) reply(std::move(r));
                      });
            return deferred();
        }
        cache.get(request.app, name, nullptr,
                  [&cached](std::optional<core::CachedEvent> c) { cached = std::move(c); });
    }
    return channel_answer(request.app, request.reply, name, info, std::move(cached));
}

transport::HttpResponse HttpApi::channel_answer(const core::AppPtr& app, const Reply& reply,
                                                const std::string& name,
                                                const std::vector<std::string>& info,
                                                std::optional<core::CachedEvent> cached) {
    core::ClusterLink* link = engine_.cluster();
    return with_cluster(
        app, reply, {core::ClusterQuery::ChannelSocketsCount, {name}, {}},
        [app, name, info, link, cached = std::move(cached)](const core::ClusterAnswer* remote) {
            uint64_t count = app->channels.subscription_count(name);
            if (remote != nullptr) {
                if (auto it = remote->channel_counts.find(name); it != remote->channel_counts.end())
                    count += it->second;
            }
            json::object body{{"occupied", count > 0}};
            if (has(info, "user_count")) body["user_count"] = user_count(*app, link, name);
            if (has(info, "subscription_count")) body["subscription_count"] = count;
            if (has(info, "cache")) {
                if (cached) {
                    body["cache"] =
                        json::object{{"data", cached->data}, {"ttl", cached->ttl_remaining_s}};
                } else {
                    body["cache"] = nullptr;
                }
            }
            return ok_json(body);
        });
}

transport::HttpResponse HttpApi::channel_users(ApiRequest& request, const std::string& name) {
    if (auto bad = check_name(*request.app, name)) return *bad;
    if (!protocol::is_presence(protocol::classify_channel(name))) {
        return json_error(400, "Users are only available for presence channels");
    }
    return with_cluster(request, {core::ClusterQuery::ChannelMembers, {name}, {}},
                        [app = request.app, name](const core::ClusterAnswer* remote) {
                            // De-duplicated by user id: a user on several nodes is listed once.
                            std::set<std::string> ids;
                            for (const auto& member : app->channels.members(name))
                                ids.insert(member.user_id);
                            if (remote != nullptr) {
                                for (const auto& [id, info] : remote->members) ids.insert(id);
                            }
                            json::array users;
                            for (const auto& id : ids) users.push_back(json::object{{"id", id}});
                            return ok_json(json::object{{"users", std::move(users)}});
                        });
}

transport::HttpResponse HttpApi::terminate(ApiRequest& request, const std::string& user_id) {
    if (user_id.empty()) return json_error(400, "A user id is required");
    engine_.terminate_user(request.app, user_id);
    return with_cluster(request, {core::ClusterQuery::TerminateUser, {}, user_id},
                        [](const core::ClusterAnswer*) { return ok_json(json::object()); });
}

}  // namespace sockudo::api
