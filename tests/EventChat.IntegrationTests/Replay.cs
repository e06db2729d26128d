using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

[Collection(SecondServerCollection.Name)]
public sealed class Replay
{
    [Fact]
    public async Task Rebuilding_every_projection_after_five_hundred_mixed_events_gives_identical_read_models()
    {
        // Its own database: a rebuild empties read models that every other test relies on.
        var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:Limits:MessageBurst"] = "1000",
            ["EventChat:Limits:MessagesPerSecond"] = "1000",
            // Alice adds Dave back every tenth round.
            ["EventChat:Limits:MembershipBurst"] = "1000",
        });
        try
        {
            var admin = await server.Admin;
            var (alice, bob, carol, dave) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"), await server.NewUser("dave"));
            var direct = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
            var group = await alice.CreateGroup(bob, carol);
            await Mix(alice, bob, carol, dave, direct, group);
            Assert.True((await EventCount(server)) >= 500);
            var before = await ReadModels(server, alice, bob, carol, dave);
            await LoseReadModels(server);

            var names = (await admin.Get("/api/admin/projections")).EnumerateArray().Select(n => n.GetString()!).ToList();
            foreach (var name in names)
                Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync($"/api/admin/projections/{name}/rebuild", null)).StatusCode);

            Assert.Contains("ConversationView", names);
            Assert.Contains("MessageView", names);
            Assert.Equal(before, await ReadModels(server, alice, bob, carol, dave));
        }
        finally
        {
            await server.Stop();
        }
    }

    [Fact]
    public async Task Only_admins_may_list_or_rebuild_projections()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.GetAsync("/api/admin/projections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.PostAsync("/api/admin/projections/MessageView/rebuild", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await server.Admin).Http.PostAsync("/api/admin/projections/NoSuchThing/rebuild", null)).StatusCode);
    }

    // Sends, reads, edits, deletes and membership changes, interleaved, in two conversations.
    private static async Task Mix(TestUser alice, TestUser bob, TestUser carol, TestUser dave, Guid direct, Guid group)
    {
        for (var round = 0; round < 90; round++)
        {
            var sent = await Send(round % 2 == 0 ? alice : bob, new { conversationId = direct, content = $"direct {round}" });
            var id = sent.GetProperty("message").GetProperty("id").GetGuid();
            await Send(carol, new { conversationId = group, content = $"group {round}" });
            await (round % 2 == 0 ? bob : alice).Http.PostAsJsonAsync($"/api/chat/conversations/{direct}/read", new { messageId = id });
            if (round % 3 == 0)
                await (round % 2 == 0 ? alice : bob).Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = $"edited {round}" });
            if (round % 5 == 0)
                await (round % 2 == 0 ? alice : bob).Http.DeleteAsync($"/api/chat/messages/{id}");
            if (round % 10 == 0)
                await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/participants", new { userIds = new[] { dave.Id } });
            if (round % 10 == 5)
                await alice.Http.DeleteAsync($"/api/chat/conversations/{group}/participants/{dave.Id}");
            await Send(alice, new { conversationId = group, content = $"reply {round}" });
            var last = await Send(bob, new { conversationId = group, content = $"more {round}" });
            await carol.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/read", new { messageId = last.GetProperty("message").GetProperty("id").GetGuid() });
        }
    }

    // Proves the rebuild rebuilds: afterwards the read models can only come from the events.
    private static async Task LoseReadModels(EventChatServer server)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.DeleteWhere<ConversationView>(_ => true);
        session.DeleteWhere<MessageView>(_ => true);
        await session.SaveChangesAsync();
    }

    private static async Task<long> EventCount(EventChatServer server)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    // Every read model document, in a fixed order, plus what each user's conversation list shows.
    private static async Task<string> ReadModels(EventChatServer server, params TestUser[] users)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var conversations = await session.Query<ConversationView>().OrderBy(v => v.Id).ToListAsync();
        var messages = await session.Query<MessageView>().OrderBy(m => m.Id).ToListAsync();
        var lists = new List<string>();
        foreach (var user in users)
            lists.Add((await user.Get("/api/chat/conversations")).GetRawText());
        return JsonSerializer.Serialize(new { conversations, messages, lists });
    }
}
