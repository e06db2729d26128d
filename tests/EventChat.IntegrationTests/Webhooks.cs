using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Application.Webhooks;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

/// <summary>A server of its own whose webhooks may reach the receivers on loopback, and retry fast.</summary>
public sealed class WebhookServer : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        [$"{WebhookOptions.Section}:AllowPrivateNetworks"] = "true",
        [$"{WebhookOptions.Section}:FirstRetryAfter"] = "00:00:00.200",
        [$"{WebhookOptions.Section}:MaxRetryInterval"] = "00:00:01",
        [$"{WebhookOptions.Section}:PushWindow"] = "00:00:01",
    };

    public EventChatServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EventChatServer.StartIsolated(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Webhooks, as an app's backend receives them: real receivers on local ports, the admin API, the daemon's outbox and the
/// dispatcher, on a real PostgreSQL.
/// </summary>
public sealed class Webhooks(WebhookServer fixture) : IClassFixture<WebhookServer>
{
    private EventChatServer Server => fixture.Server;

    [Fact]
    public async Task A_webhook_gets_a_conversations_events_in_order_signed_once_each_and_its_log_shows_them()
    {
        await using var receiver = await TestReceiver.Start();
        var (id, secret) = await Register(receiver, "MessageSent", "MessageEdited");
        await using var alice = await Server.NewUser("alice");
        await using var bob = await Server.NewUser("bob");
        var tab = await alice.OpenTab();

        var first = (await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "one" })).As<MessageDelivery>().Message;
        var conversationId = first.ConversationId;
        // In flight together, on one connection: they commit in the order sent.
        await Task.WhenAll(Enumerable.Range(2, 4).Select(i => tab.Invoke("sendMessage", new { conversationId, content = $"message {i}" })));
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{first.Id}", new { content = "one, edited" });

        var got = await receiver.WaitFor(In(conversationId), 6);

        Assert.All(got, hook => Assert.True(hook.SignedWith(secret), "signature"));
        Assert.Equal(6, got.Select(hook => hook.DeliveryId).Distinct().Count());
        var events = got.Select(hook => hook.Json).ToList();
        Assert.Equal(["MessageSent", "MessageSent", "MessageSent", "MessageSent", "MessageSent", "MessageEdited"], events.Select(e => e.GetProperty("type").GetString()));
        var versions = events.Select(e => e.GetProperty("data").GetProperty("version").GetInt64()).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal("one", events[0].GetProperty("data").GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("one, edited", events[5].GetProperty("data").GetProperty("data").GetProperty("content").GetString());
        Assert.All(events, e => Assert.Equal((id, false), (e.GetProperty("webhookId").GetGuid(), e.GetProperty("replay").GetBoolean())));
        // The dispatcher marks a delivery delivered once the receiver has answered, a moment after the receiver has it.
        bool Delivered(Delivery d) => d.ConversationId == conversationId && d.Status == "delivered";
        var log = await Eventually(() => Log(id), log => log.Count(Delivered) >= 6);
        Assert.Equal(6, log.Count(Delivered));
        Assert.Empty(receiver.Accepted(hook => hook.Json.GetProperty("type").GetString() is not ("MessageSent" or "MessageEdited")));
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_everything_once_it_is_back_and_the_log_shows_the_retries()
    {
        await using var receiver = await TestReceiver.Start();
        receiver.Down = true;
        var (id, _) = await Register(receiver, "MessageSent");
        await using var alice = await Server.NewUser("alice");
        await using var bob = await Server.NewUser("bob");
        var tab = await alice.OpenTab();
        var conversationId = (await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "while down 1" })).As<MessageDelivery>().Message.ConversationId;
        await tab.Invoke("sendMessage", new { conversationId, content = "while down 2" });

        var failing = await Eventually(async () => (await Log(id)).Where(d => d.Attempts >= 3).ToList(), found => found.Count > 0);
        receiver.Down = false;
        var got = await receiver.WaitFor(In(conversationId), 2);

        Assert.Equal(503, failing[0].LastStatus);
        Assert.Equal(["while down 1", "while down 2"], got.Select(hook => hook.Json.GetProperty("data").GetProperty("data").GetProperty("content").GetString()));
        var settled = await Eventually(() => Log(id), log => log.All(d => d.Status == "delivered"));
        Assert.Contains(settled, d => d.Attempts >= 3 && d.LastStatus == 200);
    }

    [Fact]
    public async Task A_replay_from_a_position_delivers_that_history_again_in_order_marked_as_a_replay()
    {
        await using var alice = await Server.NewUser("alice");
        await using var bob = await Server.NewUser("bob");
        var tab = await alice.OpenTab();
        var conversationId = (await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "before the webhook 1" })).As<MessageDelivery>().Message.ConversationId;
        await tab.Invoke("sendMessage", new { conversationId, content = "before the webhook 2" });
        var admin = await Server.Admin;
        var history = (await admin.Trail(conversationId)).Events;
        var from = history.First(e => e.Type == "MessageSent").Sequence;
        await using var receiver = await TestReceiver.Start();
        var (id, _) = await Register(receiver, "MessageSent");
        await OutboxPassed(history.Max(e => e.Sequence));

        var replay = await admin.Http.PostAsJsonAsync($"/api/admin/webhooks/{id}/replay", new { fromSequence = from });
        var got = await receiver.WaitFor(In(conversationId), 2);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(["before the webhook 1", "before the webhook 2"], got.Select(hook => hook.Json.GetProperty("data").GetProperty("data").GetProperty("content").GetString()));
        Assert.All(got, hook => Assert.True(hook.Json.GetProperty("replay").GetBoolean()));
    }

    [Fact]
    public async Task Text_erased_before_its_delivery_goes_out_is_not_delivered()
    {
        await using var receiver = await TestReceiver.Start();
        receiver.Down = true;
        var (id, _) = await Register(receiver, "MessageSent");
        await using var alice = await Server.NewUser("alice");
        await using var bob = await Server.NewUser("bob");
        var conversationId = (await (await alice.OpenTab()).Invoke("sendMessage", new { receiverId = bob.Id, content = "my secret words" })).As<MessageDelivery>().Message.ConversationId;
        await Eventually(() => Log(id), log => log.Any(d => d.ConversationId == conversationId && d.Attempts >= 1));

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync("/api/users/me")).StatusCode);
        // An attempt in flight during the erasure carries the body built before it, as one finished a moment earlier
        // would. Two more refusals: the first may be that one, the second was built after it failed, so after the erasure.
        var refusedByThen = receiver.Refused;
        await Eventually(() => Task.FromResult(receiver.Refused), refused => refused >= refusedByThen + 2);
        receiver.Down = false;
        var got = Assert.Single(await receiver.WaitFor(In(conversationId), 1));

        Assert.DoesNotContain("my secret words", got.Body);
        Assert.True(got.Json.GetProperty("data").GetProperty("erased").GetBoolean());
    }

    [Fact]
    public async Task A_message_to_someone_offline_requests_one_push_for_a_burst_and_none_for_someone_online()
    {
        await using var receiver = await TestReceiver.Start();
        var (id, _) = await Register(receiver, WebhookEventTypes.PushRequested);
        await using var alice = await Server.NewUser("alice");
        await using var bob = await Server.NewUser("bob");
        await using var carol = await Server.NewUser("carol");
        await carol.OpenTab();
        var group = await alice.CreateGroup(bob, carol);
        var tab = await alice.OpenTab();

        MessageDelivery? last = null;
        foreach (var text in new[] { "are you there?", "hello?", "call me back" })
            last = (await tab.Invoke("sendMessage", new { conversationId = group, content = text })).As<MessageDelivery>();
        var push = Assert.Single(await receiver.WaitFor(In(group), 1)).Json.GetProperty("data");
        await OutboxPassed(await SequenceOf(group, last!.Message.Sequence));

        Assert.Equal((bob.Id, alice.Id, 3, "call me back"), (push.GetProperty("recipientId").GetGuid(), push.GetProperty("senderId").GetGuid(),
            push.GetProperty("unreadCount").GetInt32(), push.GetProperty("preview").GetString()));
        Assert.Single(await Log(id), d => d.ConversationId == group);
    }

    [Fact]
    public async Task A_delivery_in_flight_when_EventChat_stops_is_made_after_it_starts_again()
    {
        var server = await EventChatServer.StartIsolated(WebhookServer.Settings);
        try
        {
            await using var receiver = await TestReceiver.Start();
            receiver.Holding = true;
            var admin = await server.Admin;
            var registered = await admin.Http.PostAsJsonAsync("/api/admin/webhooks", new { url = receiver.Url, eventTypes = new[] { "MessageSent" } });
            var id = (await registered.Read<Registered>()).Id;
            await using var alice = await server.NewUser("alice");
            await using var bob = await server.NewUser("bob");
            var conversationId = (await (await alice.OpenTab()).Invoke("sendMessage", new { receiverId = bob.Id, content = "across a restart" })).As<MessageDelivery>().Message.ConversationId;
            await receiver.Held;

            server = await server.Restart(WebhookServer.Settings);
            receiver.Release();
            var got = Assert.Single(await receiver.WaitFor(In(conversationId), 1));

            Assert.Equal("across a restart", got.Json.GetProperty("data").GetProperty("data").GetProperty("content").GetString());
            var log = await (await server.LogIn(admin.Username)).Get<List<Delivery>>($"/api/admin/webhooks/{id}/deliveries");
            var delivery = Assert.Single(log);
            Assert.Equal(("delivered", got.DeliveryId), (delivery.Status, delivery.Id.ToString()));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://localhost/hook")]
    public async Task A_webhook_to_a_private_loopback_or_link_local_address_is_refused_unless_the_operator_allows_it(string url)
    {
        var shared = await EventChatServer.Instance;
        var admin = await shared.Admin;

        var response = await admin.Http.PostAsJsonAsync("/api/admin/webhooks", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("private", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.DoesNotContain(await admin.Get<List<Registered>>("/api/admin/webhooks"), h => h.Url == new Uri(url).ToString());
    }

    private async Task<(Guid Id, string Secret)> Register(TestReceiver receiver, params string[] eventTypes)
    {
        var admin = await Server.Admin;
        var response = await admin.Http.PostAsJsonAsync("/api/admin/webhooks", new { url = receiver.Url, eventTypes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Read<Registered>();
        return (body.Id, body.Secret ?? throw new InvalidOperationException("registering answered no secret"));
    }

    private async Task<IReadOnlyList<Delivery>> Log(Guid webhookId) =>
        await (await Server.Admin).Get<List<Delivery>>($"/api/admin/webhooks/{webhookId}/deliveries?limit=500");

    private static Func<ReceivedHook, bool> In(Guid conversationId) => hook => hook.Json.GetProperty("conversationId").GetGuid() == conversationId;

    // The event store's position of a conversation's event, from the audit trail.
    private async Task<long> SequenceOf(Guid conversationId, long version) =>
        Assert.Single((await (await Server.Admin).Trail(conversationId, $"?after={version - 1}&limit=1")).Events).Sequence;

    /// <summary>Waits until the daemon's outbox has handled every event up to <paramref name="sequence"/>.</summary>
    private Task OutboxPassed(long sequence) => Eventually(async () =>
        (await Server.App.Services.GetRequiredService<IDocumentStore>().Advanced.AllProjectionProgress())
            .FirstOrDefault(s => s.ShardName.StartsWith(nameof(WebhookOutbox), StringComparison.Ordinal))?.Sequence ?? 0, at => at >= sequence);

    /// <summary>Looks again at what the server shows until it holds, as a client polling it would.</summary>
    private static async Task<T> Eventually<T>(Func<Task<T>> look, Func<T, bool> holds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var seen = await look();
            if (holds(seen))
                return seen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"still not so after 30 s: {seen}");
            await Task.Delay(100);
        }
    }

    // The admin API and the audit trail have no SDK records (an app does not call them); these read only what the tests check, strictly.

    /// <summary>A webhook as registering it answers (<see cref="Secret"/> is only in that answer) and as the list shows it.</summary>
    private sealed record Registered(Guid Id, string Url, string? Secret = null);

    /// <summary>One line of a webhook's delivery log.</summary>
    private sealed record Delivery(Guid Id, Guid ConversationId, string Status, int Attempts, int? LastStatus);
}
