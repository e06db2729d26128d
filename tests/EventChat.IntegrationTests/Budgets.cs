using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EventChat.Api.Hubs;
using EventChat.Application.Ports;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>The per-user rate budgets of docs/api.md ("Rate limits") beyond sends: typing, and the one messages budget every kind of write shares.</summary>
[Collection(SecondServerCollection.Name)]
public sealed class Budgets
{
    [Fact]
    public async Task Typing_is_limited_to_its_own_budget_which_leaves_sends_and_other_typers_alone()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var budget = new HubLimits().Budget(RateLimitPolicy.Typing);

        // Starts and stops alike spend a permit; 40 calls are far more than the burst plus what comes back meanwhile.
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 0; i < 40; i++)
            if (await Accepted(aliceTab.Send(i % 2 == 0 ? "typingStart" : "typingStop", new { conversationId })))
                accepted++;
        var elapsed = clock.Elapsed;

        Assert.InRange(accepted, budget.Burst, budget.MostAcceptedWithin(elapsed));
        Assert.Equal("rate_limited", (await aliceTab.Next("error")).GetProperty("code").GetString());
        // Typing has a budget of its own: Alice still sends, and Bob, whose budget is untouched, still types to her.
        Assert.Equal(HttpStatusCode.Created, (await alice.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId, content = "still here" })).StatusCode);
        await bobTab.Send("typingStart", new { conversationId });
        Assert.Equal(bob.Id, (await aliceTab.Next("userTyping", t => t.GetProperty("isTyping").GetBoolean())).GetProperty("userId").GetGuid());
    }

    [Fact]
    public async Task Likes_comments_uploads_and_stream_chat_spend_the_one_budget_that_sends_spend()
    {
        // A small budget that refills slowly: spent in a few calls, and a permit comes back only once a second.
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:Limits:MessageBurst"] = "3",
            ["EventChat:Limits:MessagesPerSecond"] = "1",
        });
        var (alice, bob) = (await server.NewUser("alice"), await server.NewUser("bob"));
        var post = (await (await bob.Http.PostAsJsonAsync("/api/posts", new { content = "a post" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var sessionId = (await (await bob.Http.PostAsJsonAsync("/api/streams", new { title = "live" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var tab = await alice.OpenTab();
        await tab.Invoke("join-stream", new { sessionId });
        var send = Rest(() => alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = "a message" }), HttpStatusCode.Created);
        var kinds = new Dictionary<string, Func<Task<bool>>>
        {
            ["like"] = Rest(() => alice.Http.PostAsync($"/api/posts/{post}/likes", null), HttpStatusCode.OK),
            ["comment"] = Rest(() => alice.Http.PostAsJsonAsync($"/api/posts/{post}/comments", new { content = "a comment" }), HttpStatusCode.Created),
            ["upload"] = Rest(() => alice.Http.PostAsync("/api/chat/attachments", Attachments.Form(Encoding.UTF8.GetBytes("bytes"), "a.txt", "text/plain")), HttpStatusCode.Created),
            ["stream-chat"] = async () => await Accepted(tab.Invoke("stream-chat", new { sessionId, content = "a line" })),
        };

        foreach (var (kind, call) in kinds)
        {
            // Sends empty the budget; then this kind is refused. And the other way round.
            await SpendAll(send, "send");
            await RefusedSoon(call, kind);
            await SpendAll(call, kind);
            await RefusedSoon(send, $"a send after {kind}");
        }
        // What the hub refused was refused as rate_limited, and nothing else was.
        var errors = tab.Received("error");
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(("rate_limited", "stream-chat"), (e.GetProperty("code").GetString(), e.GetProperty("method").GetString())));
    }

    /// <summary>Calls until the budget refuses; a call that never is refused spends nothing.</summary>
    private static async Task SpendAll(Func<Task<bool>> call, string what)
    {
        for (var i = 0; i < 20; i++)
            if (!await call())
                return;
        Assert.Fail($"{what} was never refused: it spends no permit of the messages budget");
    }

    /// <summary>
    /// Refused at once, on a spent budget. A permit may have come back meanwhile (one a second), which lets one call through,
    /// but then the next is refused.
    /// </summary>
    private static async Task RefusedSoon(Func<Task<bool>> call, string what)
    {
        for (var attempt = 0; attempt < 3; attempt++)
            if (!await call())
                return;
        Assert.Fail($"{what} went through on a spent budget: it does not share the messages budget");
    }

    /// <summary>A REST call that answers <paramref name="success"/>, or (false) a 429 <c>rate_limited</c>; anything else fails the test.</summary>
    private static Func<Task<bool>> Rest(Func<Task<HttpResponseMessage>> call, HttpStatusCode success) => async () =>
    {
        var response = await call();
        if (response.StatusCode == success)
            return true;
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limited", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        return false;
    };

    private static async Task<bool> Accepted(Task invocation)
    {
        try
        {
            await invocation;
            return true;
        }
        catch (HubException e) when (e.Message.EndsWith("You are doing that too often. Please slow down.", StringComparison.Ordinal))
        {
            return false;
        }
    }
}
