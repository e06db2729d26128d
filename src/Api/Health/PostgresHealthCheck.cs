using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventChat.Api.Health;

/// <summary>Ready only when PostgreSQL answers a <c>select 1</c> through Marten, on a pooled connection like any request's.</summary>
public sealed class PostgresHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answered.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The exception goes to the log (the health check service logs it with the result), never to the
            // anonymous answer: a driver's message can name hosts and users.
            return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL did not answer; see the server log.", e);
        }
    }
}
