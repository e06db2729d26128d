using EventChat.Application.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventChat.Api.Health;

/// <summary>
/// Ready only when read models keep up with the events. Inline projections commit in the same transaction as
/// their events, so they cannot stall; only the async daemon's shards (the analytics projections, the webhook outbox) are measured.
/// Asynchronous ones fail the check once the slowest is more than <see cref="HealthSettings.MaxProjectionLag"/>
/// events behind the newest event.
/// </summary>
public sealed class ProjectionsHealthCheck(ProjectionLag lag, HealthSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!lag.HasAsyncProjections)
            return HealthCheckResult.Healthy("Every projection is inline: it commits with its events, so none can fall behind.",
                new Dictionary<string, object> { ["asyncShards"] = 0, ["maxLag"] = 0L });

        var reading = await lag.Measure(cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["head"] = reading.Head,
            ["maxLag"] = reading.Max,
            ["threshold"] = settings.MaxProjectionLag,
            ["asyncShards"] = reading.Shards.Count,
        };
        foreach (var shard in reading.Shards)
            data[$"lag:{shard.Shard}"] = shard.Behind;
        var slowest = reading.Shards.MaxBy(s => s.Behind)!;
        return reading.Max <= settings.MaxProjectionLag
            ? HealthCheckResult.Healthy($"Asynchronous projections are at most {reading.Max} events behind.", data)
            : new HealthCheckResult(context.Registration.FailureStatus,
                $"Projection {slowest.Shard} is {slowest.Behind} events behind (threshold {settings.MaxProjectionLag}).", data: data);
    }
}

/// <summary>Bound from <c>EventChat:Health</c>.</summary>
public sealed record HealthSettings
{
    public const string Section = "EventChat:Health";

    /// <summary>How many events an asynchronous projection may trail the newest event before the node is not ready.</summary>
    public long MaxProjectionLag { get; init; } = 1000;

    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
