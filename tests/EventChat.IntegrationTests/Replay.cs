using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

[Collection(SecondServerCollection.Name)]
public sealed class Replay
{
    [Fact]
    public async Task Rebuilding_every_projection_after_five_hundred_events_of_every_kind_gives_identical_read_models()
    {
        // Its own database: a rebuild empties read models that every other test relies on.
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:Limits:MessageBurst"] = "1000",
            ["EventChat:Limits:MessagesPerSecond"] = "1000",
            // Alice adds Dave back every tenth round.
            ["EventChat:Limits:MembershipBurst"] = "1000",
        });
        var admin = await server.Admin;
        var (alice, bob, carol, dave, eve) =
            (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"), await server.NewUser("dave"), await server.NewUser("eve"));
        var direct = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var group = await alice.CreateGroup(bob, carol, eve);
        await Conversations(alice, bob, carol, dave, direct, group);
        await Posts(alice, bob, carol, dave);
        await LiveSessions(server, alice, bob, carol, dave);
        await Erasures(admin, carol, dave, eve, group);
        Assert.True(await EventCount(server) >= 500);
        await server.AsyncProjectionsCaughtUp();
        var tables = ProjectionTables(server);
        // The enumeration finds write-model snapshots, inline and async read models alike.
        Assert.Superset(new[] { typeof(ConversationView), typeof(MessageView), typeof(PostView), typeof(CommentView), typeof(LiveSessionView),
            typeof(StreamMessageView), typeof(DailyActivity), typeof(DailySender), typeof(FirstReply), typeof(LiveSessionStats) }.ToHashSet(),
            tables.Keys.ToHashSet());
        var before = await Rows(server, tables.Values);
        var lists = await Lists(alice, bob, carol, dave);
        // Every read model has rows to compare: the mix reaches every projection.
        Assert.All(before, table => Assert.True(table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 1, $"{table.Split('\n')[0]} is empty"));

        await LoseReadModels(server, tables.Values);
        var names = (await admin.Get("/api/admin/projections")).EnumerateArray().Select(n => n.GetString()!).ToList();
        foreach (var name in names)
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync($"/api/admin/projections/{name}/rebuild", null)).StatusCode);

        var after = await Rows(server, tables.Values);
        for (var i = 0; i < before.Count; i++)
            AssertSameRows(before[i], after[i]);
        Assert.Equal(lists, await Lists(alice, bob, carol, dave));
    }

    [Fact]
    public async Task Only_admins_may_list_watch_or_rebuild_projections()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        using var anonymous = server.Http();

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.GetAsync("/api/admin/projections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.GetAsync("/api/admin/projections/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/projections/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.PostAsync("/api/admin/projections/MessageView/rebuild", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await server.Admin).Http.PostAsync("/api/admin/projections/NoSuchThing/rebuild", null)).StatusCode);
    }

    // Sends, replies, files, reads, edits, deletes and membership changes, interleaved, in two conversations.
    private static async Task Conversations(TestUser alice, TestUser bob, TestUser carol, TestUser dave, Guid direct, Guid group)
    {
        for (var round = 0; round < 75; round++)
        {
            var (writer, reader) = round % 2 == 0 ? (alice, bob) : (bob, alice);
            var id = MessageId(await Send(writer, new { conversationId = direct, content = $"direct {round}" }));
            var grouped = MessageId(await Send(carol, new { conversationId = group, content = $"group {round}", clientMessageId = $"c{round}" }));
            await Expect(HttpStatusCode.OK, reader.Http.PostAsJsonAsync($"/api/chat/conversations/{direct}/read", new { messageId = id }));
            if (round % 3 == 0)
                await Expect(HttpStatusCode.OK, writer.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = $"edited {round}" }));
            if (round % 5 == 0)
                await Expect(HttpStatusCode.NoContent, writer.Http.DeleteAsync($"/api/chat/messages/{id}"));
            if (round % 10 == 0)
                await Expect(HttpStatusCode.OK, alice.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/participants", new { userIds = new[] { dave.Id } }));
            if (round % 10 == 5)
                await Expect(HttpStatusCode.NoContent, alice.Http.DeleteAsync($"/api/chat/conversations/{group}/participants/{dave.Id}"));
            if (round % 7 == 0)
            {
                var file = await Attachments.UploadOk(alice, Encoding.UTF8.GetBytes($"file {round}"), $"notes-{round}.txt", "text/plain");
                await Send(alice, new { conversationId = group, content = "", attachmentIds = new[] { file }, replyToId = grouped });
            }
            await Send(alice, new { conversationId = group, content = $"reply {round}", replyToId = grouped });
            var last = MessageId(await Send(bob, new { conversationId = group, content = $"more {round}" }));
            await Expect(HttpStatusCode.OK, carol.Http.PostAsJsonAsync($"/api/chat/conversations/{group}/read", new { messageId = last }));
        }
    }

    // Posts with likes, unlikes and comments.
    private static async Task Posts(TestUser alice, TestUser bob, TestUser carol, TestUser dave)
    {
        for (var round = 0; round < 5; round++)
        {
            var post = (await Expect(HttpStatusCode.Created, alice.Http.PostAsJsonAsync("/api/posts", new { content = $"post {round}" }))).GetProperty("id").GetGuid();
            foreach (var liker in new[] { bob, carol, dave })
                await Expect(HttpStatusCode.OK, liker.Http.PostAsync($"/api/posts/{post}/likes", null));
            await Expect(HttpStatusCode.OK, carol.Http.DeleteAsync($"/api/posts/{post}/likes"));
            await Expect(HttpStatusCode.Created, bob.Http.PostAsJsonAsync($"/api/posts/{post}/comments", new { content = $"comment {round}" }));
            await Expect(HttpStatusCode.Created, dave.Http.PostAsJsonAsync($"/api/posts/{post}/comments", new { content = $"another {round}" }));
        }
    }

    // Live sessions with viewers, chat, a take-down, a ban, and an end by a moderator.
    private static async Task LiveSessions(EventChatServer server, TestUser host, TestUser bob, TestUser carol, TestUser dave)
    {
        var moderator = await server.Moderator;
        for (var round = 0; round < 2; round++)
        {
            var sessionId = (await Expect(HttpStatusCode.Created, host.Http.PostAsJsonAsync("/api/streams", new { title = $"live {round}" }))).GetProperty("id").GetGuid();
            var tabs = new List<Tab>();
            foreach (var viewer in new[] { bob, carol, dave })
            {
                var tab = await viewer.OpenTab();
                await tab.Invoke("join-stream", new { sessionId });
                tabs.Add(tab);
            }
            var chat = new List<Guid>();
            for (var line = 0; line < 4; line++)
                foreach (var tab in tabs)
                    chat.Add((await tab.Invoke("stream-chat", new { sessionId, content = $"chat {round}.{line}" })).GetProperty("message").GetProperty("id").GetGuid());
            await Expect(HttpStatusCode.NoContent, host.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{chat[1]}"));
            await Expect(HttpStatusCode.NoContent, moderator.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{chat[4]}"));
            await Expect(HttpStatusCode.NoContent, host.Http.PostAsJsonAsync($"/api/streams/{sessionId}/bans", new { userId = dave.Id }));
            await Expect(HttpStatusCode.OK, moderator.Http.PostAsync($"/api/streams/{sessionId}/end", null));
            foreach (var tab in tabs)
                await tab.DisposeAsync();
        }
    }

    // A direct conversation erased by consent of both, a group erased by an admin, and a user who erases their account.
    private static async Task Erasures(TestUser admin, TestUser carol, TestUser dave, TestUser eve, Guid group)
    {
        var direct = ConversationId(await Send(carol, new { receiverId = dave.Id, content = "between us" }));
        await Send(dave, new { conversationId = direct, content = "soon forgotten" });
        await Expect(HttpStatusCode.OK, carol.Http.DeleteAsync($"/api/chat/conversations/{direct}/content"));
        await Expect(HttpStatusCode.OK, dave.Http.DeleteAsync($"/api/chat/conversations/{direct}/content"));
        await Send(carol, new { conversationId = direct, content = "after the erasure" });

        await Send(eve, new { conversationId = group, content = "eve was here" });
        await Send(eve, new { receiverId = dave.Id, content = "eve to dave" });
        await Expect(HttpStatusCode.NoContent, eve.Http.DeleteAsync("/api/users/me"));

        await Expect(HttpStatusCode.OK, admin.Http.DeleteAsync($"/api/chat/conversations/{group}/content"));
        await Send(carol, new { conversationId = group, content = "the group goes on" });
    }

    /// <summary>Every call of the mix must have done what it was meant to: a refused call would make the mix smaller than it claims.</summary>
    private static async Task<JsonElement> Expect(HttpStatusCode status, Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Guid MessageId(JsonElement delivery) => delivery.GetProperty("message").GetProperty("id").GetGuid();

    /// <summary>
    /// The document table of every type any registered projection writes, read from the store's own options: a projection
    /// added tomorrow is compared here without editing this test.
    /// </summary>
    private static Dictionary<Type, string> ProjectionTables(EventChatServer server)
    {
        var options = ((DocumentStore)server.App.Services.GetRequiredService<IDocumentStore>()).Options;
        return options.Projections.All.SelectMany(projection => projection.PublishedTypes()).Distinct()
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToDictionary(type => type, type => options.Storage.FindFeature(type).Objects.OfType<Weasel.Postgresql.Tables.Table>().Single().Identifier.QualifiedName);
    }

    /// <summary>Empties every projection's table, so that afterwards the read models can only come from the events.</summary>
    private static async Task LoseReadModels(EventChatServer server, IEnumerable<string> tables)
    {
        await using var connection = await server.OpenDatabase();
        await using var truncate = new NpgsqlCommand($"truncate {string.Join(", ", tables)}", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Each table's rows, by id, with every column but Marten's bookkeeping (<c>mt_version</c>, <c>mt_last_modified</c>, …),
    /// which records when and how often a row was written rather than what it holds.
    /// </summary>
    private static async Task<List<string>> Rows(EventChatServer server, IEnumerable<string> tables)
    {
        await using var connection = await server.OpenDatabase();
        var all = new List<string>();
        foreach (var table in tables)
        {
            var (schema, name) = (table.Split('.')[0], table.Split('.')[1]);
            var columns = new List<string>();
            await using (var list = new NpgsqlCommand(
                "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 and column_name not like 'mt\\_%' order by column_name", connection))
            {
                list.Parameters.AddWithValue(schema);
                list.Parameters.AddWithValue(name);
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    columns.Add(reader.GetString(0));
            }
            var rows = new StringBuilder(table).Append('\n');
            await using (var select = new NpgsqlCommand(
                $"select {string.Join(" || ' | ' || ", columns.Select(c => $"coalesce({c}::text, 'null')"))} from {table} order by id", connection))
            await using (var reader = await select.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    rows.Append(reader.GetString(0)).Append('\n');
            all.Add(rows.ToString());
        }
        return all;
    }

    /// <summary>Fails on the first row that differs, naming its table, with both versions of it.</summary>
    private static void AssertSameRows(string live, string rebuilt)
    {
        var (before, after) = (live.Split('\n'), rebuilt.Split('\n'));
        for (var row = 0; row < Math.Max(before.Length, after.Length); row++)
        {
            var (was, now) = (row < before.Length ? before[row] : "(no row)", row < after.Length ? after[row] : "(no row)");
            Assert.True(was == now, $"{before[0]} differs after the rebuild, row {row}:\nlive:    {was}\nrebuilt: {now}");
        }
    }

    /// <summary>What each user's conversation list shows, unread counts included (computed from the read models at query time).</summary>
    private static async Task<string> Lists(params TestUser[] users)
    {
        var lists = new List<string>();
        foreach (var user in users)
            lists.Add((await user.Get("/api/chat/conversations?limit=200")).GetRawText());
        return string.Join("\n", lists);
    }

    private static async Task<long> EventCount(EventChatServer server)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }
}
