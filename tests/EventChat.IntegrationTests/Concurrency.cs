using System.Net.Http.Json;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Concurrency
{
    [Fact]
    public async Task Two_hundred_concurrent_sends_from_several_connections_yield_two_hundred_ordered_messages()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var start = await Send(alice, new { receiverId = bob.Id, content = "start" });
        var conversationId = ConversationId(start);
        Tab[] tabs = [await alice.OpenTab(), await alice.OpenTab(), await bob.OpenTab(), await bob.OpenTab()];

        var sends = Enumerable.Range(0, 200).Select(i => tabs[i % tabs.Length].Invoke("sendMessage", new { conversationId, content = $"m{i}" }));
        var results = await Task.WhenAll(sends);

        var returned = results.Select(r => r.GetProperty("message").GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(200, returned.Distinct().Count());
        var stored = (await bob.Messages(conversationId, $"after={start.GetProperty("message").GetProperty("sequence")}&limit=200")).ToArray();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}").Order(), stored.Select(m => m.GetProperty("content").GetString()).Order());
        var sequences = stored.Select(m => m.GetProperty("sequence").GetInt64()).ToArray();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second), "sequences must strictly increase");
        Assert.Equal(returned.Order(), sequences);
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
        var conversation = Assert.Single((await alice.Get("/api/chat/conversations")).EnumerateArray());
        Assert.Equal(10, (await alice.Messages(conversation.GetProperty("id").GetGuid())).Length);
    }
}
