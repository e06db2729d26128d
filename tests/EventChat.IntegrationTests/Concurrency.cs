using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Concurrency
{
    [Fact]
    public async Task Two_hundred_concurrent_sends_from_several_connections_yield_two_hundred_ordered_messages()
    {
        var server = await EventChatServer.Instance;
        // Ten senders, twenty each: within every sender's burst budget, so no send is rate limited.
        var senders = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => server.NewUser("sender")));
        var group = await senders[0].Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = senders.Skip(1).Select(s => s.Id) });
        var conversationId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var tabs = await Task.WhenAll(senders.Select(s => s.OpenTab()));

        var sends = Enumerable.Range(0, 200).Select(i => tabs[i % tabs.Length].Invoke("sendMessage", new { conversationId, content = $"m{i}" }));
        var results = await Task.WhenAll(sends);

        var returned = results.Select(r => r.GetProperty("message").GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(200, returned.Distinct().Count());
        var stored = await senders[1].Messages(conversationId, "after=0&limit=200");
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}").Order(), stored.Select(m => m.GetProperty("content").GetString()).Order());
        var sequences = stored.Select(m => m.GetProperty("sequence").GetInt64()).ToArray();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second), "sequences must strictly increase");
        Assert.Equal(returned.Order(), sequences);
        foreach (var sender in senders)
            await sender.DisposeAsync();
    }

    [Fact]
    public async Task Sends_that_break_a_rule_fail_alone_while_the_sends_committed_with_them_succeed()
    {
        var server = await EventChatServer.Instance;
        var senders = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => server.NewUser("sender")));
        var conversationId = await senders[0].CreateGroup(senders[1..]);
        var tabs = await Task.WhenAll(senders.Select(s => s.OpenTab()));

        // Every fourth send replies to a message that does not exist: concurrent sends share transactions
        // (group commit), and a rejected one must neither fail nor hold back the others of its batch.
        var sends = Enumerable.Range(0, 40).Select(async i =>
        {
            var payload = i % 4 == 3
                ? (object)new { conversationId, content = $"bad{i}", replyToId = Guid.NewGuid() }
                : new { conversationId, content = $"m{i}" };
            try
            {
                return (i, Sequence: (long?)(await tabs[i % tabs.Length].Invoke("sendMessage", payload)).GetProperty("message").GetProperty("sequence").GetInt64());
            }
            catch (Microsoft.AspNetCore.SignalR.HubException)
            {
                return (i, Sequence: null);
            }
        });
        var results = await Task.WhenAll(sends);

        Assert.All(results, r => Assert.Equal(r.i % 4 == 3, r.Sequence is null));
        var stored = await senders[1].Messages(conversationId, "after=0&limit=200");
        Assert.Equal(results.Where(r => r.Sequence is not null).Select(r => $"m{r.i}").Order(), stored.Select(m => m.GetProperty("content").GetString()).Order());
        // No gaps: the rejected sends took no sequence numbers.
        var first = stored[0].GetProperty("sequence").GetInt64();
        Assert.Equal(Enumerable.Range(0, 30).Select(k => first + k), stored.Select(m => m.GetProperty("sequence").GetInt64()));
        foreach (var sender in senders)
            await sender.DisposeAsync();
    }

    [Fact]
    public async Task First_messages_racing_from_both_sides_land_in_one_direct_conversation()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");

        var racing = Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = $"a{i}" })
            : bob.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = alice.Id, content = $"b{i}" }));
        var responses = await Task.WhenAll(racing);

        Assert.All(responses, r => Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode));
        var conversation = Assert.Single(await alice.Conversations());
        Assert.Equal(10, (await alice.Messages(conversation.GetProperty("id").GetGuid())).Length);
    }
}
