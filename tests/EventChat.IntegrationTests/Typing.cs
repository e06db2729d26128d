using System.Diagnostics;
using EventChat.Application.Realtime;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Typing
{
    [Fact]
    public async Task Typing_reaches_the_other_participants_and_the_room_but_never_the_typer()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTyping, aliceOther, bobTab) = (await alice.OpenTab(), await alice.OpenTab(), await bob.OpenTab());
        foreach (var tab in new[] { aliceTyping, aliceOther, bobTab })
            await tab.Invoke("joinRoom", new { conversationId });

        await aliceTyping.Send("typingStart", new { conversationId, receiverId = bob.Id });

        var typing = await bobTab.Next("userTyping");
        Assert.Equal(conversationId, typing.GetProperty("conversationId").GetGuid());
        Assert.Equal(alice.Id, typing.GetProperty("userId").GetGuid());
        Assert.True(typing.GetProperty("isTyping").GetBoolean());
        Assert.True((await bobTab.Next("typingIndicator")).GetProperty("isTyping").GetBoolean());

        await aliceTyping.Send("typingStop", new { conversationId });

        Assert.False((await bobTab.Next("userTyping")).GetProperty("isTyping").GetBoolean());
        Assert.False((await bobTab.Next("typingIndicator")).GetProperty("isTyping").GetBoolean());
        await Send(bob, new { conversationId, content = "proves alice's tabs are live" });
        await aliceOther.Next("newMessage");
        await aliceTyping.Next("newMessage");
        foreach (var tab in new[] { aliceTyping, aliceOther })
        {
            Assert.Empty(tab.Received("userTyping"));
            Assert.Empty(tab.Received("typingIndicator"));
        }
    }

    private static readonly TimeSpan TimerGrain = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_repeated_start_is_not_rebroadcast_and_typing_without_a_stop_expires()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());

        await aliceTab.Send("typingStart", new { conversationId });
        var sinceBeforeLastStart = Stopwatch.StartNew();
        await aliceTab.Send("typingStart", new { conversationId });
        // A call completes after the server has handled it, so the expiry counts from between these two clocks.
        var sinceLastStartHandled = Stopwatch.StartNew();
        Assert.True((await bobTab.Next("userTyping")).GetProperty("isTyping").GetBoolean());

        var expired = await bobTab.Next("userTyping");

        Assert.False(expired.GetProperty("isTyping").GetBoolean());
        // Not before the expiry after the last start (the repeat pushed it back), and about then, not at some later
        // sweep. Both clocks leave the calls' own time out, which a loaded machine stretches; the slack is for
        // delivering one push (Tab.Next waits no longer than that anyway).
        // .NET's timers count on a coarse clock (a few milliseconds on Linux), so an expiry may fire that much early.
        Assert.True(sinceBeforeLastStart.Elapsed >= TypingTracker.Expiry - TimerGrain, $"Typing expired {sinceBeforeLastStart.Elapsed.TotalSeconds:F1} s after the last start.");
        Assert.True(sinceLastStartHandled.Elapsed < TypingTracker.Expiry + TimeSpan.FromSeconds(2), $"Typing expired {sinceLastStartHandled.Elapsed.TotalSeconds:F1} s after the last start.");
        Assert.Empty(bobTab.Received("userTyping"));
    }

    [Fact]
    public async Task Typing_towards_a_user_as_the_seed_clients_send_it_reaches_them()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());

        await aliceTab.Send("typingStart", new { receiverId = bob.Id });

        var typing = await bobTab.Next("userTyping");
        Assert.Equal(conversationId, typing.GetProperty("conversationId").GetGuid());
        Assert.True(typing.GetProperty("isTyping").GetBoolean());
    }

    [Fact]
    public async Task Disconnecting_while_typing_stops_typing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var sinceBeforeStart = Stopwatch.StartNew();
        await aliceTab.Send("typingStart", new { conversationId });
        await bobTab.Next("userTyping");

        await aliceTab.DisposeAsync();

        Assert.False((await bobTab.Next("userTyping")).GetProperty("isTyping").GetBoolean());
        // The expiry cannot have fired yet, so the stop came from the disconnect.
        Assert.True(sinceBeforeStart.Elapsed < TypingTracker.Expiry, $"The stop came {sinceBeforeStart.Elapsed.TotalSeconds:F1} s after the start: it may be the expiry's.");
    }

    [Fact]
    public async Task A_stranger_cannot_type_into_a_conversation_and_nobody_hears_it()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (bobTab, malloryTab) = (await bob.OpenTab(), await mallory.OpenTab());
        await bobTab.Invoke("joinRoom", new { conversationId });

        await Assert.ThrowsAsync<HubException>(() => malloryTab.Send("typingStart", new { conversationId }));

        Assert.Equal("not_found", (await malloryTab.Next("error")).GetProperty("code").GetString());
        await Send(alice, new { conversationId, content = "proves bob's tab is live" });
        await bobTab.Next("newMessage");
        Assert.Empty(bobTab.Received("userTyping"));
        Assert.Empty(bobTab.Received("typingIndicator"));
    }
}
