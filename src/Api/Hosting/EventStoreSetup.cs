using EventChat.Api.Storage;
using EventChat.Api.Webhooks;
using EventChat.Application.Conversations;
using EventChat.Application.Privacy;
using EventChat.Application.Users;
using EventChat.Application.Webhooks;
using EventChat.Projections;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Weasel.Core;

namespace EventChat.Api.Hosting;

/// <summary>
/// The event store: Marten on the PostgreSQL of <c>ConnectionStrings:EventChat</c>, every table and projection it keeps,
/// and the daemon that runs the async projections and the webhook outbox (docs/architecture.md, "Projections").
/// </summary>
public static class EventStoreSetup
{
    public static IServiceCollection AddEventStore(this IServiceCollection services, IConfiguration config)
    {
        var marten = services.AddMarten(provider =>
            {
                var opts = new StoreOptions();
                opts.Connection(Tuned(config.GetConnectionString("EventChat") ?? throw new InvalidOperationException(
                    "ConnectionStrings:EventChat is not set. Run ./eventchat run, or set ConnectionStrings__EventChat to your PostgreSQL.")));
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                // Quick append: one round trip per append; our events carry their own sequence, so nothing needs Rich mode.
                opts.Events.AppendMode = EventAppendMode.Quick;
                opts.Logger(new ParameterFreeMartenLogger(provider.GetRequiredService<ILogger<ParameterFreeMartenLogger>>()));
                opts.DisableNpgsqlLogging = true;
                opts.AddEventChatProjections();
                opts.AddEventChatDocuments();
                ConversationRows.AddGuardFunction(opts);
                // The send writers let go of a conversation that anything else on this node writes to.
                opts.Listeners.Add(provider.GetRequiredService<HeldConversations>());
                WebhookDeliveries.AddTable(opts);
                return opts;
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Runs the async (analytics) projections and the webhook outbox in this process. HotCold: on several nodes
            // they elect one leader through a PostgreSQL advisory lock, and another node takes over if it dies
            // (docs/operations.md).
            .AddAsyncDaemon(DaemonMode.HotCold);
        services.AddWebhooks(config, marten);
        return services;
    }

    // Two settings that cut PostgreSQL's work per send, unless the connection string sets them itself
    // (docs/operations.md, `ConnectionStrings__EventChat`):
    // - A pooled connection is reset with DISCARD ALL each time it is handed out again, which costs PostgreSQL a
    //   statement per session (two per send). EventChat never leaves session state behind (no SET, no temporary
    //   tables, no session advisory locks outside the daemon's own connection), so there is nothing to reset.
    // - Without prepared statements PostgreSQL parses and plans every statement of every send again; Marten's are
    //   the same few dozen texts over and over. Preparing the ones used often spares PostgreSQL that
    //   work on every send (docs/performance-history.md).
    private static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NoResetOnClose"))
            builder.NoResetOnClose = true;
        if (!given.Contains("MaxAutoPrepare"))
            builder.MaxAutoPrepare = MaxPreparedStatements;
        return builder.ConnectionString;
    }

    private const int MaxPreparedStatements = 100;
}
