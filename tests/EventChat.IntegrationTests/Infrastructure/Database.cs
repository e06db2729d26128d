using EventChat.Application.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>A server's database as tests look at it beside the API: raw SQL, and waiting for the async daemon.</summary>
public static class Database
{
    /// <summary>An open connection to the server's own database; dispose it.</summary>
    public static async Task<NpgsqlConnection> OpenDatabase(this EventChatServer server)
    {
        var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The newest event's sequence number, read from the store itself.</summary>
    public static async Task<long> Head(this EventChatServer server)
    {
        await using var connection = await server.OpenDatabase();
        await using var head = new NpgsqlCommand("select coalesce(max(seq_id), 0) from mt_events", connection);
        return (long)(await head.ExecuteScalarAsync())!;
    }

    /// <summary>Waits, up to a minute, until every asynchronous projection has applied every event in the store.</summary>
    public static async Task AsyncProjectionsCaughtUp(this EventChatServer server)
    {
        var lag = server.App.Services.GetRequiredService<ProjectionLag>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await lag.Measure(CancellationToken.None)).Max > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the async projections never caught up");
            await Task.Delay(100);
        }
    }
}
