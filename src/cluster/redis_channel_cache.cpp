#include "cluster/redis_channel_cache.hpp"

#include <boost/json.hpp>

#include "transport/worker.hpp"

namespace sockudo::cluster {

namespace json = boost::json;

namespace {

// The stored value is the Pusher event as delivered: {"event", "channel", "data"}.
std::string encode(const std::string& channel, const core::CachedEvent& event) {
    return json::serialize(
        json::object{{"event", event.event}, {"channel", channel}, {"data", event.data}});
}

std::optional<core::CachedEvent> decode(const RedisValue& value, const RedisValue& ttl) {
    if (value.kind != RedisValue::Kind::Text) return std::nullopt;
    boost::system::error_code ec;
    json::value parsed = json::parse(value.text, ec);
    if (ec || !parsed.is_object()) return std::nullopt;
    const json::object& o = parsed.as_object();
    const json::value* event = o.if_contains("event");
    const json::value* data = o.if_contains("data");
    if (event == nullptr || !event->is_string()) return std::nullopt;
    core::CachedEvent out;
    out.event = std::string(event->as_string());
    if (data != nullptr)
        out.data = data->is_string() ? std::string(data->as_string()) : json::serialize(*data);
    out.ttl_remaining_s =
        ttl.kind == RedisValue::Kind::Integer ? std::max<long long>(0, ttl.integer) : 0;
    return out;
}

template <typename Fn>
void on_worker(transport::Worker* worker, Fn fn) {
    if (worker != nullptr) {
        worker->post(std::move(fn));
    } else {
        fn();
    }
}

}  // namespace

RedisChannelCache::RedisChannelCache(std::shared_ptr<RedisCommandClient> client, std::string prefix)
    : client_(std::move(client)), prefix_(std::move(prefix)) {}

std::string RedisChannelCache::key(const std::string& app_id, const std::string& channel) const {
    return prefix_ + ":app:" + app_id + ":channel:" + channel + ":cache_miss";
}

void RedisChannelCache::put(const core::AppPtr& app, const std::string& channel,
                            core::CachedEvent event, std::chrono::seconds ttl) {
    std::string value = encode(channel, event);
    app->cache.put(channel, std::move(event), ttl);
    // Fire and forget: while Redis is away the local copy serves, and the next publish repairs
    // the shared one.
    client_->run(
        {{"SET", key(app->app().id, channel), std::move(value), "EX", std::to_string(ttl.count())}},
        [](std::vector<RedisValue>) {});
}

void RedisChannelCache::get(const core::AppPtr& app, const std::string& channel,
                            transport::Worker* worker, Found done) {
    const std::string k = key(app->app().id, channel);
    client_->run({{"GET", k}, {"TTL", k}}, [app, channel, worker, done = std::move(done)](
                                               std::vector<RedisValue> replies) mutable {
        std::optional<core::CachedEvent> cached;
        if (replies[0].failed()) {
            cached = app->cache.get(channel);
        } else {
            cached = decode(replies[0], replies[1]);
        }
        on_worker(worker, [done = std::move(done), cached = std::move(cached)]() mutable {
            done(std::move(cached));
        });
    });
}

void RedisChannelCache::claim_miss_report(const core::AppPtr& app, const std::string& channel,
                                          std::chrono::seconds window, transport::Worker* worker,
                                          Claimed done) {
    client_->run({{"SET", key(app->app().id, channel) + "_reported", "1", "NX", "EX",
                   std::to_string(std::max<int64_t>(1, window.count()))}},
                 [app, channel, window, worker,
                  done = std::move(done)](std::vector<RedisValue> replies) mutable {
                     const RedisValue& r = replies.front();
                     const bool claimed = r.failed()
                                              ? app->cache.should_report_miss(channel, window)
                                              : r.kind == RedisValue::Kind::Text;
                     on_worker(worker, [done = std::move(done), claimed] { done(claimed); });
                 });
}

}  // namespace sockudo::cluster
