using EventChat.Application.Sync;
using EventChat.Domain.Conversations;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventChat.IntegrationTests;

/// <summary>
/// The sync feed reads Marten's own tables with SQL (<see cref="MartenEventTable"/>). Marten does not promise those names,
/// and a change would not fail the SQL loudly everywhere: a renamed event type or JSON key only makes the feed find
/// nothing. These tests check every name against the real database and Marten's own mapping, so an upgrade that
/// changes one fails here and says which.
/// </summary>
public sealed class MartenEventTableNames
{
    [Fact]
    public async Task Every_table_and_column_the_feed_reads_exists()
    {
        var server = await EventChatServer.Instance;
        var schema = server.App.Services.GetRequiredService<IDocumentStore>().Options.Events.DatabaseSchemaName;
        await using var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();

        foreach (var (table, columns) in MartenEventTable.ColumnsRead)
        {
            await using var query = new NpgsqlCommand("select column_name from information_schema.columns where table_schema = $1 and table_name = $2", connection)
            {
                Parameters = { new() { Value = schema }, new() { Value = table } },
            };
            var present = new List<string>();
            await using (var reader = await query.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    present.Add(reader.GetString(0));

            var missing = columns.Except(present).ToList();
            Assert.True(present.Count > 0, $"Marten no longer has the table {schema}.{table}; update MartenEventTable and the SQL in SyncFeed.");
            Assert.True(missing.Count == 0, $"Marten's {schema}.{table} no longer has the column(s) {string.Join(", ", missing)}; update MartenEventTable and the SQL in SyncFeed.");
        }
    }

    // The names of events already stored: if Marten's mapping ever names a type differently, the feed would ask for the
    // new name and no longer find a single membership change stored under the old one.
    [Theory]
    [InlineData(typeof(ConversationStarted), "conversation_started")]
    [InlineData(typeof(ParticipantAdded), "participant_added")]
    [InlineData(typeof(ParticipantRemoved), "participant_removed")]
    [InlineData(typeof(ParticipantLeft), "participant_left")]
    public async Task Marten_still_names_each_membership_event_as_the_stored_events_are_named(Type eventType, string stored)
    {
        var marten = new MartenEventTable((await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>());

        Assert.True(marten.StoredName(eventType) == stored,
            $"Marten now stores {eventType.Name} as '{marten.StoredName(eventType)}', but existing databases hold it as '{stored}'; the sync feed would miss those.");
    }

    [Fact]
    public async Task The_json_keys_the_feed_filters_on_are_the_ones_Marten_writes()
    {
        var serializer = (await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var started = Conversation.StartGroup(Guid.CreateVersion7(), Guid.CreateVersion7(), [Guid.CreateVersion7()], "Team", DateTimeOffset.UnixEpoch);
        var added = Conversation.Create(started).AddParticipants(started.StartedBy, [Guid.CreateVersion7()], DateTimeOffset.UnixEpoch)[0];

        Assert.True(serializer.ToJson(started).Contains($"\"{MartenEventTable.ParticipantIdsKey}\":", StringComparison.Ordinal),
            $"Marten no longer writes ConversationStarted.ParticipantIds as '{MartenEventTable.ParticipantIdsKey}'; update MartenEventTable.");
        Assert.True(serializer.ToJson(added).Contains($"\"{MartenEventTable.UserIdKey}\":", StringComparison.Ordinal),
            $"Marten no longer writes ParticipantAdded.UserId as '{MartenEventTable.UserIdKey}'; update MartenEventTable.");
    }
}
