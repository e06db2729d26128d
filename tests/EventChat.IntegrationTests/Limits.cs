using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Limits
{
    [Fact]
    public async Task A_flood_from_one_user_is_limited_while_another_users_messages_go_through()
    {
        var server = await EventChatServer.Instance;
        await using var flooder = await server.NewUser("flooder");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(bob, new { receiverId = flooder.Id, content = "hi" }));
        var (flooderTab, bobTab) = (await flooder.OpenTab(), await bob.OpenTab());

        var flood = Enumerable.Range(0, 40).Select(i => Outcome(flooderTab.Invoke("sendMessage", new { conversationId, content = $"spam {i}" }))).ToList();
        var bobsSends = Enumerable.Range(0, 5).Select(i => Outcome(bobTab.Invoke("sendMessage", new { conversationId, content = $"bob {i}" }))).ToList();
        var floodResults = await Task.WhenAll(flood);

        Assert.All(await Task.WhenAll(bobsSends), ok => Assert.True(ok));
        Assert.Contains(false, floodResults);
        Assert.InRange(floodResults.Count(ok => ok), 20, 30);
        Assert.Equal("rate_limited", (await flooderTab.Next("error")).GetProperty("code").GetString());
        // The budget refills one permit every 200 ms, and a busy machine may take that long to get here: a permit that
        // came back meanwhile lets one REST send through, but the next ones are refused like the hub's.
        HttpResponseMessage viaRest;
        var attempts = 0;
        do
            viaRest = await flooder.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId, content = "more spam" });
        while (viaRest.StatusCode == HttpStatusCode.Created && ++attempts < 3);
        Assert.Equal(HttpStatusCode.TooManyRequests, viaRest.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), viaRest.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limited", (await viaRest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_user_cannot_open_more_than_ten_connections_and_the_eleventh_is_told_why()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var open = new List<Tab>();
        for (var i = 0; i < 10; i++)
            open.Add(await alice.OpenTab());

        var eleventh = await alice.OpenTab(settle: false);

        const string why = "You have 10 connections open already; close one first.";
        var reason = await eleventh.CloseReason;
        Assert.IsType<HubException>(reason);
        Assert.EndsWith(why, reason.Message);
        var error = await eleventh.Next("error");
        Assert.Equal(("rate_limited", "connect", why),
            (error.GetProperty("code").GetString(), error.GetProperty("method").GetString(), error.GetProperty("message").GetString()));
        await Assert.ThrowsAnyAsync<Exception>(() => eleventh.Invoke("getOnlineUsers", null));
        foreach (var tab in open)
            await tab.Invoke("getOnlineUsers", null);
    }

    [Fact]
    public async Task A_hub_message_over_the_size_limit_closes_the_connection_and_stores_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();

        await Assert.ThrowsAnyAsync<Exception>(() => tab.Invoke("sendMessage", new { receiverId = bob.Id, content = new string('x', 40_000) }));

        await tab.Closed;
        Assert.Empty((await alice.Get("/api/chat/conversations")).EnumerateArray());
    }

    private static async Task<bool> Outcome(Task<JsonElement> invocation)
    {
        try
        {
            await invocation;
            return true;
        }
        catch (HubException)
        {
            return false;
        }
    }
}
