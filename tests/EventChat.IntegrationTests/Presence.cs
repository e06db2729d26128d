using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Presence
{
    [Fact]
    public async Task A_first_tab_announces_online_to_contacts_and_only_the_last_tab_closing_announces_offline()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(bob, new { receiverId = alice.Id, content = "hi" });
        var bobTab = await bob.OpenTab();

        var aliceFirst = await alice.OpenTab();
        var online = await bobTab.Next("userOnline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        Assert.True(online.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        var aliceSecond = await alice.OpenTab();
        await aliceFirst.DisposeAsync();

        Assert.Equal([alice.Id], OnlineUsers(await bobTab.Invoke("getOnlineUsers", new { userIds = new[] { alice.Id } })));
        await aliceSecond.DisposeAsync();
        await bobTab.Next("userOffline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        Assert.Empty(OnlineUsers(await bobTab.Invoke("getOnlineUsers", new { userIds = new[] { alice.Id } })));

        // Alice coming back is announced after everything her closing tabs caused, on the same connection to Bob: once
        // it is in, Bob has heard of every change, and each once (an offline while a tab was open would be a second).
        await alice.OpenTab();
        await bobTab.Next("userOnline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        Assert.Equal([alice.Id, alice.Id], bobTab.All("userOnline").Select(e => e.GetProperty("userId").GetGuid()));
        Assert.Equal([alice.Id], bobTab.All("userOffline").Select(e => e.GetProperty("userId").GetGuid()));
    }

    [Fact]
    public async Task GetOnlineUsers_answers_for_contacts_only_and_also_pushes_onlineUsers()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var stranger = await server.NewUser("stranger");
        await Send(bob, new { receiverId = alice.Id, content = "hi" });
        var (bobTab, _, _) = (await bob.OpenTab(), await alice.OpenTab(), await stranger.OpenTab());

        var mine = await bobTab.Invoke("getOnlineUsers", new { });
        var asked = await bobTab.Invoke("getOnlineUsers", new { userIds = new[] { alice.Id, stranger.Id } });
        var nullPayload = await bobTab.Connection.InvokeAsync<JsonElement>("getOnlineUsers", (object?)null);
        var noArguments = (JsonElement)(await bobTab.Connection.InvokeCoreAsync("getOnlineUsers", typeof(JsonElement), []))!;

        Assert.Equal([alice.Id], OnlineUsers(mine));
        Assert.Equal([alice.Id], OnlineUsers(asked));
        Assert.Equal([alice.Id], OnlineUsers(nullPayload));
        Assert.Equal([alice.Id], OnlineUsers(noArguments));
        Assert.Equal([alice.Id], OnlineUsers(await bobTab.Next("onlineUsers")));
    }

    [Fact]
    public async Task A_connection_that_dies_without_closing_goes_offline_within_the_keep_alive_timeout()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(bob, new { receiverId = alice.Id, content = "hi" });
        var bobTab = await bob.OpenTab();

        // A raw WebSocket that completes the SignalR handshake, then falls silent as a dropped network would:
        // it never reads again, so it answers no WebSocket ping and sends no SignalR ping.
        using var silent = new ClientWebSocket();
        var url = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = "/hubs/chat", Query = $"access_token={alice.Token}" }.Uri;
        await silent.ConnectAsync(url, CancellationToken.None);
        await silent.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        await bobTab.Next("userOnline", e => e.GetProperty("userId").GetGuid() == alice.Id);

        var offline = await bobTab.Next("userOffline", e => e.GetProperty("userId").GetGuid() == alice.Id);

        Assert.Equal(alice.Id, offline.GetProperty("userId").GetGuid());
    }

    [Fact]
    public async Task Strangers_are_not_told_when_someone_comes_online()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var stranger = await server.NewUser("stranger");
        await Send(bob, new { receiverId = alice.Id, content = "hi" });
        var (bobTab, strangerTab) = (await bob.OpenTab(), await stranger.OpenTab());

        await alice.OpenTab();
        await bobTab.Next("userOnline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        await strangerTab.Invoke("getOnlineUsers", new { });
        await strangerTab.Next("onlineUsers");

        Assert.Empty(strangerTab.Received("userOnline"));
    }

    private static Guid[] OnlineUsers(JsonElement answer) =>
        [.. answer.GetProperty("onlineUsers").EnumerateArray().Select(id => id.GetGuid())];
}
