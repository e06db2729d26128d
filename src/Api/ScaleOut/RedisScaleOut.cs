using EventChat.Api.Hubs;
using EventChat.Api.Privacy;
using EventChat.Application.Ports;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>How often a node proves it is alive, and how long its silence takes before others sweep its connections.</summary>
public sealed record RedisScaleOutSettings
{
    public const string Section = "EventChat:Redis";

    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Several nodes (docs/operations.md, ADR 0007): with a Redis connection string, SignalR uses the Redis backplane
/// and presence, live-session viewers and rate-limit budgets are shared in Redis. Without one, nothing here is registered and a
/// single node needs nothing but PostgreSQL.
/// </summary>
public static class RedisScaleOut
{
    /// <summary>The Redis connection string, from <c>ConnectionStrings:Redis</c> or, as the issue spells it, <c>Redis:Connection</c>.</summary>
    public static string? ConnectionString(IConfiguration config) =>
        config.GetConnectionString("Redis") is { Length: > 0 } cs ? cs : config["Redis:Connection"] is { Length: > 0 } other ? other : null;

    public static void AddRedisScaleOut(this IServiceCollection services, ISignalRServerBuilder signalR, IConfiguration config)
    {
        if (ConnectionString(config) is not { } connectionString)
            return;
        var settings = config.GetSection(RedisScaleOutSettings.Section).Get<RedisScaleOutSettings>() ?? new RedisScaleOutSettings();
        services.AddSingleton(settings);
        services.AddSingleton(new ClusterNode(settings));
        services.AddSingleton<IConnectionMultiplexer>(provider => ConnectionMultiplexer.Connect(Options(connectionString)));
        services.AddSingleton<RedisPresence>();
        services.AddSingleton<IPresence>(provider => provider.GetRequiredService<RedisPresence>());
        services.AddSingleton<RedisStreamViewers>();
        services.AddSingleton<IStreamViewers>(provider => provider.GetRequiredService<RedisStreamViewers>());
        services.AddSingleton<UserRateLimiter>();
        services.AddSingleton<IRateLimiter, RedisRateLimiter>();
        services.AddHostedService<NodeHeartbeat>();
        services.AddSingleton<RedisStandingAnnouncer>();
        services.AddSingleton<IStandingAnnouncer>(provider => provider.GetRequiredService<RedisStandingAnnouncer>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisStandingAnnouncer>());
        signalR.AddStackExchangeRedis(options =>
        {
            options.Configuration = Options(connectionString);
            // Except for the backplane: with FailFast, StackExchange.Redis 2.7 does not restore its subscriptions after
            // Redis comes back (the fault tests showed it). Queued, a push waits at most AsyncTimeout (2 s) for Redis.
            options.Configuration.BacklogPolicy = BacklogPolicy.Default;
            options.Configuration.ChannelPrefix = RedisChannel.Literal(ClusterNode.KeyPrefix);
        });
    }

    // Start even while Redis is down, and fail a command at once instead of queueing it while disconnected:
    // a send must not wait for Redis, whose pushes are a convenience that sync recovers.
    private static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // Retry every second, not with a growing back-off: cross-node pushes should resume soon after Redis does.
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 2000);
        return options;
    }

    /// <summary>What a Redis adapter catches when Redis is unreachable, to fall back on this node's own state.</summary>
    public static bool IsOutage(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>The shared answer from Redis, or this node's own <paramref name="local"/> one while Redis is unreachable.</summary>
    public static async Task<T> OrLocal<T>(Func<Task<T>> shared, T local, ILogger log, string what)
    {
        try
        {
            return await shared();
        }
        catch (Exception e) when (IsOutage(e))
        {
            log.LogWarning("Redis unreachable for {What}; answering from this node until it is back: {Error}", what, e.Message);
            return local;
        }
    }
}

/// <summary>This process among the nodes: its id and the Redis keys that hold its share of the shared state.</summary>
public sealed class ClusterNode(RedisScaleOutSettings settings)
{
    public const string KeyPrefix = "eventchat";

    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    public RedisScaleOutSettings Settings => settings;

    public const string NodesKey = KeyPrefix + ":nodes";

    public static RedisKey AliveKey(string nodeId) => $"{KeyPrefix}:node:{nodeId}:alive";

    public static RedisKey SweeperKey(string nodeId) => $"{KeyPrefix}:node:{nodeId}:sweeper";

    public static RedisKey ConnectionsKey(string nodeId) => $"{KeyPrefix}:node:{nodeId}:connections";

    public static RedisKey ViewingKey(string nodeId) => $"{KeyPrefix}:node:{nodeId}:viewing";
}
