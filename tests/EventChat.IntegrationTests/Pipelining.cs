using System.Diagnostics.Metrics;
using System.Text.Json;
using EventChat.Application.Telemetry;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

/// <summary>A connection may keep several sends in flight: they commit together, and in the order sent.</summary>
public sealed class Pipelining
{
    private const int InFlight = 20;   // the default burst budget: none of them is rate limited

    [Fact]
    public async Task Sends_in_flight_on_one_connection_commit_together_and_in_the_order_sent()
    {
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);
        await using var tab = await alice.OpenTab();
        await using var bobsTab = await bob.OpenTab();
        using var batches = new CommitBatches(server);

        // Written to the socket one after another, none waiting for an answer before the next goes.
        var sends = Enumerable.Range(0, InFlight).Select(i => tab.Invoke("sendMessage", new { conversationId, content = $"m{i}" })).ToArray();
        var answers = await Task.WhenAll(sends);

        var sequences = answers.Select(a => a.GetProperty("message").GetProperty("sequence").GetInt64()).ToArray();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second), $"answered in the order sent: {string.Join(", ", sequences)}");
        var pushed = new List<string>();
        for (var i = 0; i < InFlight; i++)
            pushed.Add((await bobsTab.Next("newMessage")).GetProperty("message").GetProperty("content").GetString()!);
        var expected = Enumerable.Range(0, InFlight).Select(i => $"m{i}").ToArray();
        Assert.Equal(expected, pushed);
        Assert.Equal(expected, (await bob.Messages(conversationId, "after=0&limit=50")).Select(m => m.GetProperty("content").GetString()));
        // One call at a time would have made a transaction of each send.
        Assert.Equal(InFlight, batches.Commands);
        Assert.True(batches.Transactions <= InFlight / 2, $"{InFlight} sends took {batches.Transactions} transactions");
    }

    [Fact]
    public async Task Other_calls_in_flight_keep_their_order_so_typing_started_then_stopped_ends_stopped()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);
        await using var tab = await alice.OpenTab();
        await using var bobsTab = await bob.OpenTab();

        // Three starts and stops, none waiting for the one before: a stop that overtook its start would leave alice
        // typing until the expiry, and bob would see the starts and stops out of turn.
        var calls = Enumerable.Range(0, 6).Select(i => tab.Send(i % 2 == 0 ? "typingStart" : "typingStop", new { conversationId })).ToArray();
        await Task.WhenAll(calls);

        var seen = new List<bool>();
        for (var i = 0; i < 6; i++)
            seen.Add((await bobsTab.Next("userTyping")).GetProperty("isTyping").GetBoolean());
        Assert.Equal([true, false, true, false, true, false], seen);
    }

    /// <summary>The group commits of one app, as its <c>eventchat.commit.batch</c> histogram records them from now on.</summary>
    private sealed class CommitBatches : IDisposable
    {
        private readonly MeterListener listener = new();
        private int transactions, commands;

        public CommitBatches(EventChatServer server)
        {
            var factory = server.App.Services.GetRequiredService<IMeterFactory>();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Name: "eventchat.commit.batch", Meter.Name: EventChatMetrics.MeterName } && ReferenceEquals(instrument.Meter.Scope, factory))
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
            {
                Interlocked.Increment(ref transactions);
                Interlocked.Add(ref commands, value);
            });
            listener.Start();
        }

        public int Transactions => Volatile.Read(ref transactions);

        public int Commands => Volatile.Read(ref commands);

        public void Dispose() => listener.Dispose();
    }
}
