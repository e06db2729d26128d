using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api.Hubs;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>Two nodes (processes) behind one Redis and one PostgreSQL, started once for these tests.</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public Cluster Cluster { get; private set; } = null!;

    public const int MessageBurst = 8;
    public const int MessagesPerSecond = 1;

    public async Task InitializeAsync() => Cluster = await Infrastructure.Cluster.Start(nodes: 2, settings: new Dictionary<string, string>
    {
        ["EventChat__Limits__MessageBurst"] = MessageBurst.ToString(),
        ["EventChat__Limits__MessagesPerSecond"] = MessagesPerSecond.ToString(),
        ["EventChat__Admins__0"] = AdminName,
        // Webhook receivers are on loopback; a window that a test's two sends fall in even when the daemon reads them
        // in two polls.
        ["EventChat__Webhooks__AllowPrivateNetworks"] = "true",
        ["EventChat__Webhooks__PushWindow"] = "00:00:03",
    });

    public const string AdminName = "cluster-admin";

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Extra server processes (two nodes here; a node with JSON logs, a published artefact and its build elsewhere) load
/// the machine, so these tests run alone, after the parallel ones: timing-sensitive tests elsewhere (rate-limit
/// refills) must not share the CPU with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiNodeCollection
{
    public const string Name = "Several nodes (server processes)";
}

/// <summary>
/// A user on node A and a user on node B get what two users on one node get: messages, receipts, typing,
/// rooms, presence, live sessions and rate-limit budgets travel through the Redis backplane and the shared state in Redis.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNode(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private Cluster Cluster => nodes.Cluster;

    [Fact]
    public async Task A_conversation_across_nodes_carries_messages_receipts_typing_and_rooms()
    {
        await using var alice = await Cluster.NewUser("alice", node: 0);
        await using var bob = await Cluster.NewUser("bob", node: 1);
        var aliceTab = await alice.OpenTabOn(Cluster[0]);
        var bobTab = await bob.OpenTabOn(Cluster[1]);

        var sent = await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "hello from A", clientMessageId = "m1" });
        var conversationId = sent.GetProperty("message").GetProperty("conversationId").GetGuid();
        var messageId = sent.GetProperty("message").GetProperty("id").GetGuid();
        var arrived = await bobTab.Next("newMessage");
        Assert.Equal("hello from A", arrived.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(messageId, (await bobTab.Next("receiveMessage")).GetProperty("message").GetProperty("id").GetGuid());

        await bobTab.Invoke("messageRead", new { conversationId, messageId });
        var receipt = await aliceTab.Next("messageRead");
        Assert.Equal((messageId, bob.Id), (receipt.GetProperty("messageId").GetGuid(), receipt.GetProperty("readBy").GetGuid()));

        await bobTab.Invoke("joinRoom", new { conversationId });
        await aliceTab.Send("typingStart", new { conversationId });
        Assert.True((await bobTab.Next("userTyping")).GetProperty("isTyping").GetBoolean());
        Assert.Equal(alice.Id, (await bobTab.Next("typingIndicator")).GetProperty("userId").GetGuid());
        await aliceTab.Send("typingStop", new { conversationId });
        Assert.False((await bobTab.Next("userTyping", e => !e.GetProperty("isTyping").GetBoolean())).GetProperty("isTyping").GetBoolean());

        var reply = await bobTab.Invoke("sendMessage", new { conversationId, content = "hi from B", clientMessageId = "r1" });
        Assert.Equal(reply.GetProperty("message").GetProperty("id").GetGuid(),
            (await aliceTab.Next("newMessage")).GetProperty("message").GetProperty("id").GetGuid());
        // Both nodes read the same store: each user's history, asked of the other node, is the same two messages.
        Assert.Equal(["hello from A", "hi from B"], (await alice.Messages(conversationId)).Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(["hello from A", "hi from B"], (await bob.Messages(conversationId)).Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Erasing_an_account_on_one_node_closes_its_connections_on_the_other_at_once()
    {
        await using var alice = await Cluster.NewUser("alice", node: 0);
        var onB = await alice.OpenTabOn(Cluster[1]);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await alice.Http.DeleteAsync("/api/users/me")).StatusCode);

        // Within the tab's patience, well inside the minute after which node B would find the erasure by itself.
        Assert.Equal("unauthorized", (await onB.Next("error")).GetProperty("code").GetString());
        await onB.Closed;
    }

    [Fact]
    public async Task A_user_with_tabs_on_both_nodes_stays_online_until_the_last_one_closes()
    {
        await using var alice = await Cluster.NewUser("alice");
        await using var bob = await Cluster.NewUser("bob");
        await Messaging.Send(bob, new { receiverId = alice.Id, content = "hi" });
        var bobTab = await bob.OpenTabOn(Cluster[1]);

        var onNodeA = await alice.OpenTabOn(Cluster[0]);
        await bobTab.Next("userOnline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        var onNodeB = await alice.OpenTabOn(Cluster[1]);
        Assert.Equal([alice.Id], OnlineUsers(await bobTab.Invoke("getOnlineUsers", new { userIds = new[] { alice.Id } })));

        await onNodeA.DisposeAsync();
        var beforeLastClose = DateTimeOffset.UtcNow;
        await onNodeB.DisposeAsync();

        // Had node A announced its last local tab, this first userOffline would predate the close of the tab on B.
        var offline = await bobTab.Next("userOffline", e => e.GetProperty("userId").GetGuid() == alice.Id);
        Assert.True(offline.GetProperty("timestamp").GetDateTimeOffset() >= beforeLastClose.AddMilliseconds(-50));
        Assert.Empty(bobTab.Received("userOnline"));
        Assert.Empty(OnlineUsers(await bobTab.Invoke("getOnlineUsers", new { userIds = new[] { alice.Id } })));
    }

    [Fact]
    public async Task A_live_session_across_nodes_counts_every_viewer_once_and_carries_its_chat()
    {
        await using var host = await Cluster.NewUser("host");
        await using var first = await Cluster.NewUser("viewer", node: 0);
        await using var second = await Cluster.NewUser("viewer", node: 1);
        var started = await host.Http.PostAsJsonAsync("/api/streams", new { title = "Live on two nodes" });
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var onA = await first.OpenTabOn(Cluster[0]);
        var onB = await second.OpenTabOn(Cluster[1]);
        var secondOnA = await second.OpenTabOn(Cluster[0]);

        Assert.Equal(1, (await onA.Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        Assert.Equal(2, (await onB.Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        Assert.Equal(2, (await secondOnA.Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        await onA.Next("stream-viewers", e => e.GetProperty("viewerCount").GetInt32() == 2);
        Assert.Equal(2, (await first.Get($"/api/streams/{sessionId}")).GetProperty("viewerCount").GetInt32());
        Assert.Equal(2, (await second.Get($"/api/streams/{sessionId}")).GetProperty("viewerCount").GetInt32());

        // Watching on node B is enough to chat from node A, and the chat reaches the viewer on A.
        await secondOnA.Invoke("leave-stream", new { sessionId });
        var chat = await secondOnA.Invoke("stream-chat", new { sessionId, content = "watching on B, typing on A" });
        var heard = await onA.Next("stream-chat");
        Assert.Equal(chat.GetProperty("message").GetProperty("id").GetGuid(), heard.GetProperty("message").GetProperty("id").GetGuid());

        await onB.DisposeAsync();
        await onA.Next("stream-viewers", e => e.GetProperty("viewerCount").GetInt32() == 1);
        Assert.Equal(1, (await second.Get($"/api/streams/{sessionId}")).GetProperty("viewerCount").GetInt32());
    }

    [Fact]
    public async Task A_user_with_tabs_on_both_nodes_has_one_message_budget_not_one_per_node()
    {
        await using var carol = await Cluster.NewUser("carol");
        await using var dave = await Cluster.NewUser("dave");
        Tab[] tabs = [await carol.OpenTabOn(Cluster[0]), await carol.OpenTabOn(Cluster[1])];

        var accepted = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 2 * TwoNodes.MessageBurst; i++)
        {
            try
            {
                await tabs[i % 2].Invoke("sendMessage", new { receiverId = dave.Id, content = $"#{i}" });
                accepted++;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException)
            {
                Assert.Equal("rate_limited", (await tabs[i % 2].Next("error")).GetProperty("code").GetString());
            }
        }

        var took = clock.Elapsed;

        // One budget: the burst, and what its rate gave back while the sends took their turns. Per node, it would be
        // twice the burst (and twice the rate).
        var budget = new RateBudget(TwoNodes.MessageBurst, TwoNodes.MessagesPerSecond, TimeSpan.FromSeconds(1));
        Assert.InRange(accepted, TwoNodes.MessageBurst, budget.MostAcceptedWithin(took));
        Assert.True(budget.MostAcceptedWithin(took) < 2 * TwoNodes.MessageBurst,
            $"The sends took {took.TotalSeconds:F1} s, long enough for one budget to refill them all: this run cannot tell one budget from two.");
    }

    [Fact]
    public async Task Sends_through_both_nodes_to_one_conversation_commit_in_one_gap_free_line()
    {
        await using var alice = await Cluster.NewUser("alice", node: 0);
        await using var bob = await Cluster.NewUser("bob", node: 1);
        var aliceTab = await alice.OpenTabOn(Cluster[0]);
        var bobTab = await bob.OpenTabOn(Cluster[1]);
        var first = await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "a0" });
        var conversationId = first.GetProperty("message").GetProperty("conversationId").GetGuid();

        // Each node holds the conversation as it last wrote it, which the other node's sends keep making out of date;
        // sent at the same moment, the two nodes' appends race for the same place.
        for (var round = 1; round <= 3; round++)
            await Task.WhenAll(
                aliceTab.Invoke("sendMessage", new { conversationId, content = $"a{round}" }),
                bobTab.Invoke("sendMessage", new { conversationId, content = $"b{round}" }));

        var history = (await alice.Get($"/api/chat/conversations/{conversationId}/messages?after=0&limit=50")).GetProperty("items").EnumerateArray()
            .Select(m => (Sequence: m.GetProperty("sequence").GetInt64(), Content: m.GetProperty("content").GetString()!)).ToList();
        // A message's sequence is its place in the conversation's stream, after ConversationStarted: no gap, no repeat.
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], history.Select(m => m.Sequence));
        Assert.Equal(["a0", "a1", "a2", "a3"], history.Select(m => m.Content).Where(c => c.StartsWith('a')));
        Assert.Equal(["b1", "b2", "b3"], history.Select(m => m.Content).Where(c => c.StartsWith('b')));
    }

    [Fact]
    public async Task Someone_added_through_one_node_can_send_through_the_other_at_once()
    {
        // Alice's REST calls go to node 1; everyone's hub connections to node 0.
        await using var alice = await Cluster.NewUser("alice", node: 1);
        await using var bob = await Cluster.NewUser("bob", node: 0);
        await using var carol = await Cluster.NewUser("carol", node: 0);
        var group = await alice.CreateGroup(bob);
        var bobTab = await bob.OpenTabOn(Cluster[0]);
        // Node 0 now holds the group as it was: without Carol.
        await bobTab.Invoke("sendMessage", new { conversationId = group, content = "before Carol" });

        var added = await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/participants", new { userIds = new[] { carol.Id } });
        Assert.Equal(System.Net.HttpStatusCode.OK, added.StatusCode);
        var carolTab = await carol.OpenTabOn(Cluster[0]);
        var sent = await carolTab.Invoke("sendMessage", new { conversationId = group, content = "glad to be here" });

        Assert.Equal("glad to be here", sent.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("glad to be here", (await bobTab.Next("newMessage")).GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_push_is_requested_for_someone_connected_to_no_node_and_not_for_someone_connected_to_the_other_node()
    {
        await using var receiver = await TestReceiver.Start();
        using var admin = await AdminHttp();
        var registered = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url = receiver.Url, eventTypes = new[] { "MessageSent", "PushRequested" } });
        Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        await using var alice = await Cluster.NewUser("alice", node: 0);
        await using var bob = await Cluster.NewUser("bob", node: 1);
        await using var carol = await Cluster.NewUser("carol", node: 0);
        await bob.OpenTabOn(Cluster[1]);
        var group = await alice.CreateGroup(bob, carol);
        var tab = await alice.OpenTabOn(Cluster[0]);

        await tab.Invoke("sendMessage", new { conversationId = group, content = "first" });
        await tab.Invoke("sendMessage", new { conversationId = group, content = "second" });
        bool InGroup(ReceivedHook hook) => hook.Json.GetProperty("conversationId").GetGuid() == group;
        await receiver.WaitFor(hook => InGroup(hook) && hook.Json.GetProperty("type").GetString() == "MessageSent", 2);
        var push = Assert.Single(await receiver.WaitFor(hook => InGroup(hook) && hook.Json.GetProperty("type").GetString() == "PushRequested", 1)).Json.GetProperty("data");

        Assert.Equal((carol.Id, 2, "second"), (push.GetProperty("recipientId").GetGuid(), push.GetProperty("unreadCount").GetInt32(), push.GetProperty("preview").GetString()));
        var webhookId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var log = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/webhooks/{webhookId}/deliveries")).EnumerateArray()
            .Where(d => d.GetProperty("eventType").GetString() == "PushRequested").ToList();
        Assert.Equal([carol.Id], log.Select(d => d.GetProperty("recipientId").GetGuid()));
    }

    // The configured admin name grants admin to the account that registers it first: this fixture's one admin.
    private async Task<HttpClient> AdminHttp()
    {
        using var anonymous = new HttpClient { BaseAddress = Cluster[0] };
        var answer = await anonymous.PostAsJsonAsync("/api/auth/register", new { username = TwoNodes.AdminName, password = TestUser.Password });
        if (answer.StatusCode == System.Net.HttpStatusCode.Conflict)
            answer = await anonymous.PostAsJsonAsync("/api/auth/login", new { username = TwoNodes.AdminName, password = TestUser.Password });
        var token = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        return new HttpClient { BaseAddress = Cluster[0], DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
    }

    private static Guid[] OnlineUsers(JsonElement answer) =>
        [.. answer.GetProperty("onlineUsers").EnumerateArray().Select(id => id.GetGuid())];
}
