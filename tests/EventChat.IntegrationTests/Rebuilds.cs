using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api;
using EventChat.Application.Admin;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>The bulk rebuild of <see cref="MessageView"/>, page by page (Replay covers one page, through the admin endpoint).</summary>
public sealed class Rebuilds
{
    [Fact]
    public async Task A_message_edited_or_deleted_pages_after_it_was_sent_is_rebuilt_as_it_is_live()
    {
        // Its own database: the rebuild empties a read model other tests read.
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = new List<Guid>();
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "first" }));
        sent.Add(MessageId(await Send(alice, new { conversationId, content = "second" })));
        for (var i = 0; i < 4; i++)
            await Send(bob, new { conversationId, content = $"filler {i}" });
        // Edited twice and deleted in later pages than the one they were sent in (pages of two events).
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent[0]}", new { content = "second, edited" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent[0]}", new { content = "second, edited again" })).StatusCode);
        var doomed = MessageId(await Send(alice, new { conversationId, content = "doomed" }));
        await Send(bob, new { conversationId, content = "last" });
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        var live = await Documents(store);
        var reports = new List<RebuildProgress>();

        var applied = await new MessageViewRebuild(store, pageSize: 2).Run(new Recorded(reports), CancellationToken.None);

        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(await Documents(store)));
        // Stored sealed, so the texts are not comparable here; the marks of the edit and the delete are.
        Assert.NotNull(live.Single(v => v.Id == sent[0]).EditedAt);
        Assert.NotNull(live.Single(v => v.Id == doomed).DeletedAt);
        // Eight messages, two edits and a delete, in pages of two, each page reported as it is written.
        Assert.Equal(11, applied);
        Assert.Equal([2, 4, 6, 8, 10, 11], reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(11, r.Total));
    }

    [Fact]
    public async Task The_rebuild_command_names_what_it_does_not_know_and_rebuilds_and_reports_what_it_does()
    {
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hello" }));
        await Send(bob, new { conversationId, content = "hi" });
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        var live = JsonSerializer.Serialize(await Documents(store));
        var (output, errors) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await ProjectionRebuildCommand.Run(store, ["MesageView"], output, errors));
        Assert.Contains("No projection named MesageView. The projections: ", errors.ToString());
        Assert.Contains("MessageView", errors.ToString());
        Assert.Equal("", output.ToString());

        Assert.Equal(0, await ProjectionRebuildCommand.Run(store, ["messageview"], output, errors));
        Assert.Equal(live, JsonSerializer.Serialize(await Documents(store)));
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("MessageView: rebuilding...", lines[0]);
        Assert.StartsWith("MessageView: 2 of 2 events, ", lines[1]);
        Assert.StartsWith("MessageView: rebuilt in ", lines[2]);
        Assert.StartsWith("Rebuilt 1 projection(s) in ", lines[3]);
    }

    private static Guid MessageId(JsonElement delivery) => delivery.GetProperty("message").GetProperty("id").GetGuid();

    /// <summary>Every <see cref="MessageView"/> as stored, in id order.</summary>
    private static async Task<IReadOnlyList<MessageView>> Documents(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Query<MessageView>().OrderBy(v => v.Id).ToListAsync();
    }

    private sealed class Recorded(List<RebuildProgress> reports) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => reports.Add(value);
    }
}
