using System.Diagnostics;
using System.Text.Json;
using EventChat.Domain.Conversations;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;
using static EventChat.IntegrationTests.Sync;

namespace EventChat.IntegrationTests;

/// <summary>
/// The sync feed's safe horizon (docs/adr/0004-sync-cursor-and-safe-horizon.md): a number of the global sequence taken
/// by a transaction that has not committed yet is a gap that may still fill, and no answer's items or cursor may pass
/// it until it has filled or is older than <c>EventChat:Sync:StaleGapAfter</c>. Each test holds such a transaction
/// open itself, on a server of its own, so no other test's sync waits behind the gap.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class SyncHorizon
{
    [Fact]
    public async Task Sync_stops_at_a_write_still_in_flight_and_delivers_it_before_what_committed_after_it()
    {
        // A stale-gap time far beyond the test, so only the write committing settles the gap.
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?> { ["EventChat:Sync:StaleGapAfter"] = "00:05:00" });
        var (alice, bob, carol) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"));
        var fromAlice = await Send(alice, new { receiverId = bob.Id, content = "read me" });
        var carolsConversation = ConversationId(await Send(carol, new { receiverId = bob.Id, content = "hi" }));
        var (_, cursor) = await SyncAll(bob);

        // Bob's read receipt takes its sequence number and stays uncommitted while Carol's message commits after it.
        await using var receipt = await HeldAppend.Start(server, ReadOf(fromAlice, bob.Id));
        await Send(carol, new { conversationId = carolsConversation, content = "committed after the gap" });
        var whileHeld = await Page(bob, cursor);
        await receipt.Commit();
        var (afterwards, _) = await SyncAll(bob, whileHeld.GetProperty("cursor").GetString());

        Assert.Empty(Items(whileHeld));
        Assert.True(whileHeld.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["MessagesMarkedRead", "MessageSent"], afterwards.Select(Sync.Type));
        Assert.Equal([ConversationId(fromAlice), carolsConversation], afterwards.Select(ConversationOf));
        Assert.Equal("committed after the gap", ContentOf(afterwards[1]));
    }

    [Fact]
    public async Task Sync_passes_a_rolled_back_gap_once_it_is_older_than_the_stale_gap_time()
    {
        await using var server = await EventChatServer.StartIsolated();
        var (alice, bob, carol) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"));
        var fromAlice = await Send(alice, new { receiverId = bob.Id, content = "read me" });
        var carolsConversation = ConversationId(await Send(carol, new { receiverId = bob.Id, content = "hi" }));
        var (_, cursor) = await SyncAll(bob);

        await using (var receipt = await HeldAppend.Start(server, ReadOf(fromAlice, bob.Id)))
        {
            await Send(carol, new { conversationId = carolsConversation, content = "committed after the gap" });
            await receipt.Rollback();
        }
        // A client asks again on hasMore, pausing when a repeat brought nothing (api.md); the gap never fills.
        var items = new List<JsonElement>();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var page = await Page(bob, cursor);
            items.AddRange(Items(page));
            cursor = page.GetProperty("cursor").GetString()!;
            if (!page.GetProperty("hasMore").GetBoolean())
                break;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "Sync never passed the rolled-back gap.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(["MessageSent"], items.Select(Sync.Type));
        Assert.Equal("committed after the gap", ContentOf(items[0]));
    }

    /// <summary>The reader's receipt for the message a send answered, as <c>MarkRead</c> would append it.</summary>
    private static MessagesMarkedRead ReadOf(JsonElement delivery, Guid readerId)
    {
        var message = delivery.GetProperty("message");
        return new(ConversationId(delivery), readerId, message.GetProperty("id").GetGuid(), message.GetProperty("sequence").GetInt64(), DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// An event appended through Marten, with its inline projections, in a transaction of the test's own that stays
    /// open: its global sequence number is taken, and nobody sees the event until <see cref="Commit"/>.
    /// </summary>
    private sealed class HeldAppend : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;

        private HeldAppend(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

        public static async Task<HeldAppend> Start(EventChatServer server, IConversationEvent @event)
        {
            var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
            await connection.OpenAsync();
            var held = new HeldAppend(connection, await connection.BeginTransactionAsync());
            // A session enlisted in a transaction it does not own runs its statements there and leaves the commit to us.
            await using var session = server.App.Services.GetRequiredService<IDocumentStore>().LightweightSession(SessionOptions.ForTransaction(held._transaction));
            session.Events.Append(@event.ConversationId, @event);
            await session.SaveChangesAsync();
            return held;
        }

        public Task Commit() => _transaction.CommitAsync();

        public Task Rollback() => _transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
