using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api.Hubs;
using EventChat.Application.Ports;
using EventChat.Application.Realtime;
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

        // One connection's calls run one at a time, so the budget refills while the flood is served: the bound is the
        // burst plus what the rate gave back over the time the flood took here, not a fixed count.
        var budget = new HubLimits().Budget(RateLimitPolicy.Messages);
        var clock = Stopwatch.StartNew();
        var flood = Enumerable.Range(0, 3 * budget.Burst).Select(i => Outcome(flooderTab.Invoke("sendMessage", new { conversationId, content = $"spam {i}" }))).ToList();
        var bobsSends = Enumerable.Range(0, 5).Select(i => Outcome(bobTab.Invoke("sendMessage", new { conversationId, content = $"bob {i}" }))).ToList();
        var floodResults = await Task.WhenAll(flood);
        var took = clock.Elapsed;

        Assert.All(await Task.WhenAll(bobsSends), ok => Assert.True(ok));
        Assert.Contains(false, floodResults);
        Assert.InRange(floodResults.Count(ok => ok), budget.Burst, budget.MostAcceptedWithin(took));
        Assert.All(floodResults.Take(budget.Burst), ok => Assert.True(ok));
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
    public async Task Edits_spend_the_senders_message_budget_which_hub_sends_share()
    {
        var server = await EventChatServer.Instance;
        await using var editor = await server.NewUser("editor");
        await using var bob = await server.NewUser("bob");
        var messageId = (await Send(editor, new { receiverId = bob.Id, content = "draft" })).GetProperty("message").GetProperty("id").GetGuid();
        var (editorTab, bobTab) = (await editor.OpenTab(), await bob.OpenTab());

        var flood = Enumerable.Range(0, 40).Select(i => editor.Http.PatchAsJsonAsync($"/api/chat/messages/{messageId}", new { content = $"edit {i}" })).ToList();
        // The budget is the one sends spend: once an edit is refused it is empty, and hub sends are refused too (but for
        // a permit that came back meanwhile). Not after the whole flood: the edits let through queue for the message's
        // stream, and the budget refills while they do.
        await FirstRefusal(flood);
        var sends = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Outcome(editorTab.Invoke("sendMessage", new { receiverId = bob.Id, content = $"send {i}" }))));
        var edits = await Task.WhenAll(flood);

        // The draft spent one permit of the burst; a permit or two may come back while the edits arrive.
        var stored = edits.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(stored >= new HubLimits().MessageBurst - 1, $"only {stored} edits went through");
        Assert.All(edits, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.Contains(edits, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var refused = edits.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains(false, sends);
        Assert.Equal("rate_limited", (await editorTab.Next("error")).GetProperty("code").GetString());
        // Only the edits let through were stored and pushed: the text as sent, then one version each.
        var versions = await bob.Get($"/api/chat/messages/{messageId}/versions");
        Assert.Equal(1 + stored, versions.GetProperty("items").GetArrayLength());
        for (var i = 0; i < stored; i++)
            await bobTab.Next("messageEdited");
    }

    [Fact]
    public async Task Creating_groups_and_adding_people_is_limited_per_user_and_a_refused_call_adds_nobody()
    {
        var server = await EventChatServer.Instance;
        await using var mallory = await server.NewUser("mallory");
        await using var victim = await server.NewUser("victim");
        await using var carol = await server.NewUser("carol");
        await using var bystander = await server.NewUser("bystander");
        var burst = new HubLimits().MembershipBurst;

        var clock = Stopwatch.StartNew();
        var creations = await Task.WhenAll(Enumerable.Range(0, burst + 10).Select(i =>
            mallory.Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = new[] { victim.Id }, title = $"spam {i}" })));
        var took = clock.Elapsed;

        var created = creations.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.InRange(created, burst, new HubLimits().Budget(RateLimitPolicy.Membership).MostAcceptedWithin(took));
        Assert.All(creations, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
        var refused = creations.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        // Retry-After says when the budget has a permit again: one every ten seconds by default.
        Assert.Equal(new HubLimits().Budget(RateLimitPolicy.Membership).Refill, refused.Headers.RetryAfter?.Delta);
        Assert.Equal(created, (await victim.Conversations()).Length);
        // Adding people spends the same budget; a refused call adds nobody. A permit that came back meanwhile lets one
        // through, but the next is refused.
        var group = (await creations.First(r => r.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        HttpResponseMessage add;
        var attempts = 0;
        do
            add = await mallory.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/participants", new { userIds = new[] { carol.Id } });
        while (add.StatusCode == HttpStatusCode.OK && ++attempts < 3);
        Assert.Equal(HttpStatusCode.TooManyRequests, add.StatusCode);
        Assert.Equal(attempts, (await carol.Conversations()).Length);
        // Budgets are per user: someone else creates a group at once.
        Assert.Equal(HttpStatusCode.Created,
            (await bystander.Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = new[] { victim.Id } })).StatusCode);
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
        // A refusal, not a fault: SignalR, which logs it before it closes the connection, writes no stack trace for it.
        Assert.DoesNotContain(EventChatServer.LogLines, l => l.Contains(why) && l.Contains("\n   at "));
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

        await Assert.ThrowsAnyAsync<Exception>(() => tab.Invoke("sendMessage", new { receiverId = bob.Id, content = new string('x', new HubLimits().MaxHubMessageBytes) }));

        await tab.Closed;
        Assert.Empty(await alice.Conversations());
    }

    [Fact]
    public async Task getOnlineUsers_answers_its_documented_1000_ids_and_refuses_1001_as_validation_without_closing_the_connection()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();
        var ids = Enumerable.Range(0, GetOnlineUsersValidator.MaxUserIds + 1).Select(_ => Guid.NewGuid()).ToArray();

        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("getOnlineUsers", new { userIds = ids }));

        Assert.Equal("validation", (await tab.Next("error")).GetProperty("code").GetString());
        var answer = await tab.Invoke("getOnlineUsers", new { userIds = ids[..GetOnlineUsersValidator.MaxUserIds] });
        Assert.Empty(answer.GetProperty("onlineUsers").EnumerateArray());
    }

    /// <summary>Completes when one of <paramref name="calls"/> is refused with 429, or when all are answered without.</summary>
    private static async Task FirstRefusal(IEnumerable<Task<HttpResponseMessage>> calls)
    {
        var pending = calls.ToList();
        while (pending.Count > 0)
        {
            var answered = await Task.WhenAny(pending);
            if ((await answered).StatusCode == HttpStatusCode.TooManyRequests)
                return;
            pending.Remove(answered);
        }
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
