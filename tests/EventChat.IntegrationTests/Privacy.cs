using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api;
using EventChat.Api.Privacy;
using EventChat.Application.Privacy;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// Encryption at rest, crypto-shredding erasure and export (docs/privacy.md), checked in the database itself. Answers are
/// read through the SDK, or strictly (<see cref="Typed"/>) where a check is that something is false or empty; erased
/// event data, the <c>conversationErased</c> push and problem details stay JSON, having no SDK record.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class Privacy
{
    private const string Erased = "[erased]";

    [Fact]
    public async Task A_sent_and_edited_message_is_stored_nowhere_in_plaintext_and_reads_back_decrypted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (first, second) = ($"plainmarker{Guid.NewGuid():N}", $"editmarker{Guid.NewGuid():N}");

        var sent = (await SendTyped(alice, new { receiverId = bob.Id, content = $"the {first} text", clientMessageId = "c1" })).Message;
        var id = sent.Id;
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = $"the {second} text" })).StatusCode);

        Assert.Equal(0, await RowsContaining(server, first));
        Assert.Equal(0, await RowsContaining(server, second));
        // Across every table, the words are only in the search index, as lexemes, and an edit replaces the old ones there.
        Assert.Empty(await TablesContaining(server, first));
        Assert.Equal([SearchTable], await TablesContaining(server, second));
        Assert.Equal($"the {second} text", Assert.Single((await bob.Client.MessagesAsync(sent.ConversationId, limit: 200)).Items).Content);
        Assert.Equal([$"the {first} text", $"the {second} text"], (await bob.Client.MessageVersionsAsync(id)).Items.Select(v => v.Content));
        Assert.Equal($"the {second} text", (await bob.Client.ConversationAsync(sent.ConversationId)).LastMessage?.Content);
        // The same text again is still "no change", although every sealing of it differs.
        var events = (await EventHistory(alice, sent.ConversationId)).Count;
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = $"the {second} text" });
        Assert.Equal(events, (await EventHistory(alice, sent.ConversationId)).Count);
    }

    [Fact]
    public async Task Concurrent_first_messages_of_an_author_share_one_data_key_and_all_read_back()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = await alice.CreateGroup(bob);

        // Sent at once (over REST: one hub connection's calls run one after another), they share group-commit
        // batches: the key created for the first must serve the rest.
        var sends = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => alice.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId, content = $"first {i}" })));
        Assert.All(sends, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        Assert.Equal(1, await KeysOf(server, conversationId, alice.Id));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"first {i}").Order(),
            (await bob.Client.MessagesAsync(conversationId, limit: 200)).Items.Select(m => m.Content).Order());
    }

    [Fact]
    public async Task An_erased_conversation_reads_as_erased_everywhere_keeps_its_structure_and_stays_erased_after_a_rebuild()
    {
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        var (alice, bob) = (await server.NewUser("alice"), await server.NewUser("bob"));
        var marker = $"secretmarker{Guid.NewGuid():N}";
        var first = (await SendTyped(alice, new { receiverId = bob.Id, content = $"{marker} one" })).Message;
        var (conversationId, firstId) = (first.ConversationId, first.Id);
        await Send(bob, new { conversationId, content = $"{marker} two", replyToId = firstId });
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{firstId}", new { content = $"{marker} one, edited" });
        var structure = Structure(await Messages(bob, conversationId));
        var version = (await bob.Client.ConversationAsync(conversationId)).LastSequence;
        Assert.Equal(2, await SearchRows(server, "conversation_id = $1", conversationId));
        Assert.Equal(2, await SearchRows(server, "vector @@ to_tsquery('english', $1)", marker));

        var asked = await bob.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/content");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var waiting = await asked.Read<ErasureAnswer>();
        Assert.False(waiting.Erased);
        Assert.Equal([alice.Id], waiting.AwaitingConsentFrom);
        Assert.Contains(marker, (await bob.Client.MessagesAsync(conversationId)).Items[0].Content);
        var agreed = await alice.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/content");
        Assert.Equal(HttpStatusCode.OK, agreed.StatusCode);
        Assert.True((await agreed.Read<ErasureAnswer>()).Erased);

        await AssertErasedEverywhere(bob, conversationId, marker, structure, version);
        // In the search table itself: no row of the conversation, no lexeme of its words. Nor any other table.
        Assert.Equal(0, await SearchRows(server, "conversation_id = $1", conversationId));
        Assert.Equal(0, await SearchRows(server, "vector @@ to_tsquery('english', $1)", marker));
        Assert.Empty(await TablesContaining(server, marker));

        // Replaying every event into fresh read models cannot bring the text back: its keys are gone.
        foreach (var name in await admin.Get<string[]>("/api/admin/projections"))
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync($"/api/admin/projections/{name}/rebuild", null)).StatusCode);
        await AssertErasedEverywhere(bob, conversationId, marker, structure, version);
        Assert.Empty(await TablesContaining(server, marker));

        // The conversation goes on, under new keys.
        await Send(alice, new { conversationId, content = "after the erasure" });
        Assert.Equal("after the erasure", (await bob.Client.MessagesAsync(conversationId, limit: 200)).Items[^1].Content);
    }

    private static async Task AssertErasedEverywhere(TestUser reader, Guid conversationId, string marker, string structure, long version)
    {
        var messages = await Messages(reader, conversationId);
        Assert.Equal(structure, Structure(messages));
        Assert.All(messages, m => Assert.Equal(Erased, m.Content));
        Assert.All(messages, m => Assert.NotNull(m.ErasedAt));
        Assert.Equal(Erased, messages[1].ReplyTo?.Excerpt);
        Assert.Empty((await reader.Get<SearchResults>($"/api/chat/search?q={marker}")).Items);
        Assert.Equal(Erased, (await reader.Client.ConversationAsync(conversationId)).LastMessage?.Content);
        Assert.Equal(Erased, (await reader.Get<Conversation>($"/api/chat/conversations/{conversationId}?version={version}")).LastMessage?.Content);
        var versions = (await reader.Get<MessageVersions>($"/api/chat/messages/{messages[0].Id}/versions")).Items;
        Assert.All(versions, v => Assert.Equal(Erased, v.Content));

        var history = await EventHistory(reader, conversationId);
        Assert.Equal(["ConversationStarted", "MessageSent", "MessageSent", "MessageEdited", "ConversationErasureConsented", "ConversationErasureConsented", "ConversationContentErased"],
            history.Select(e => e.Type));
        Assert.All(history.Where(e => e.Type is "MessageSent" or "MessageEdited"), e =>
        {
            // An erased event's data has no SDK record: its shape is what erasure leaves.
            Assert.Equal(Erased, e.Data.GetProperty("content").GetString());
            Assert.True(e.Erased);
        });

        var sync = (await reader.Get<SyncPage>("/api/chat/sync?limit=500")).Items.Where(i => i.Message is not null).ToList();
        Assert.Equal(3, sync.Count);
        Assert.All(sync, i => Assert.Equal(Erased, i.Message!.Content));
    }

    /// <summary>A conversation's messages read strictly: an erased message must say when, not merely not say otherwise.</summary>
    private static async Task<IReadOnlyList<Message>> Messages(TestUser reader, Guid conversationId) =>
        (await reader.Get<MessagePage>($"/api/chat/conversations/{conversationId}/messages?limit=200")).Items;

    // Everything about the messages but their text: ids, senders, order, times, replies.
    private static string Structure(IReadOnlyList<Message> messages) => string.Join("\n", messages.Select(m =>
        $"{m.Id} {m.SenderId} {m.Sequence} {m.SentAt:O} {m.ReplyToId}"));

    [Fact]
    public async Task Attachment_bytes_are_stored_encrypted_read_back_whole_or_in_ranges_and_are_gone_after_erasure()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var marker = System.Text.Encoding.ASCII.GetBytes($"filemarker{Guid.NewGuid():N}");
        // Longer than two 64 KiB chunks, so ranges cross chunk boundaries.
        var bytes = Enumerable.Range(0, 150_000 / marker.Length + 1).SelectMany(_ => marker).Take(150_000).ToArray();
        var id = await Attachments.UploadOk(alice, bytes, "notes.txt", "text/plain");
        var group = await alice.CreateGroup(bob);
        await Send(alice, new { conversationId = group, content = "see the file", messageType = "file", attachmentIds = new[] { id } });

        var stored = await File.ReadAllBytesAsync(Path.Combine(server.App.Configuration["EventChat:Attachments:Folder"]!, id.ToString("N")));
        Assert.Equal(-1, stored.AsSpan().IndexOf(marker));
        Assert.Equal(bytes, await bob.Http.GetByteArrayAsync($"/api/chat/attachments/{id}"));
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/attachments/{id}") { Headers = { Range = new(65_530, 131_080) } };
        var partial = await bob.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[65_530..131_081], await partial.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, (await (await server.Admin).Http.DeleteAsync($"/api/chat/conversations/{group}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/chat/attachments/{id}")).StatusCode);
        Assert.Empty((await Messages(bob, group))[0].Attachments);
    }

    [Fact]
    public async Task Only_an_admin_erases_a_groups_content_and_strangers_learn_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var stranger = await server.NewUser("stranger");
        var group = await alice.CreateGroup(bob);
        await Send(bob, new { conversationId = group, content = "in the group" });

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.DeleteAsync($"/api/chat/conversations/{group}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.DeleteAsync($"/api/chat/conversations/{group}/content")).StatusCode);
        Assert.Equal("in the group", (await alice.Client.MessagesAsync(group)).Items[0].Content);

        var bobsTab = await bob.OpenTab();
        var admin = await server.Admin;
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.DeleteAsync($"/api/chat/conversations/{group}/content")).StatusCode);
        // The push has no SDK record.
        var pushed = await bobsTab.Next("conversationErased");
        Assert.Equal((group, admin.Id), (pushed.GetProperty("conversationId").GetGuid(), pushed.GetProperty("erasedBy").GetGuid()));
        Assert.Equal(Erased, (await alice.Client.MessagesAsync(group)).Items[0].Content);
    }

    [Fact]
    public async Task An_erased_users_messages_read_as_erased_for_others_while_the_others_messages_stay()
    {
        var server = await EventChatServer.Instance;
        var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var marker = $"usermarker{Guid.NewGuid():N}";
        var direct = ConversationId(await Send(alice, new { receiverId = bob.Id, content = $"{marker} to bob" }));
        await Send(bob, new { conversationId = direct, content = "bob answers" });
        var group = await bob.CreateGroup(alice, carol);
        await Send(alice, new { conversationId = group, content = $"{marker} to the group" });
        await Send(carol, new { conversationId = group, content = "carol says hi" });
        var passwordHash = await PasswordHashOf(server, alice.Id);
        Assert.Equal(2, await SearchRows(server, "sender_id = $1", alice.Id));
        Assert.Equal(2, await SearchRows(server, "vector @@ to_tsquery('english', $1)", marker));
        Assert.NotEmpty(await TablesContaining(server, passwordHash));

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync("/api/users/me")).StatusCode);

        Assert.Equal([Erased, "bob answers"], (await bob.Client.MessagesAsync(direct, limit: 200)).Items.Select(m => m.Content));
        Assert.Equal([Erased, "carol says hi"], (await carol.Client.MessagesAsync(group, limit: 200)).Items.Select(m => m.Content));
        Assert.Empty((await bob.Get<SearchResults>($"/api/chat/search?q={marker}")).Items);
        // The account is gone: no login, its token refused, not found by name, and its registration holds no name any more.
        var login = await server.Http().PostAsJsonAsync("/api/auth/login", new { username = alice.Username, password = TestUser.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId = direct, content = "still here?" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Http.GetAsync($"/api/chat/conversations/{group}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/users?username={alice.Username}")).StatusCode);
        Assert.Equal(0, await RowsContaining(server, alice.Username));
        Assert.Equal(0, await RowsContaining(server, marker));
        // The search table keeps the others' words and none of hers; no table keeps her words, her name or her password hash.
        Assert.Equal(0, await SearchRows(server, "sender_id = $1", alice.Id));
        Assert.Equal(0, await SearchRows(server, "vector @@ to_tsquery('english', $1)", marker));
        Assert.Equal(1, await SearchRows(server, "sender_id = $1", bob.Id));
        Assert.Equal(1, await SearchRows(server, "sender_id = $1", carol.Id));
        Assert.Empty(await TablesContaining(server, marker));
        Assert.Empty(await TablesContaining(server, alice.Username));
        Assert.Empty(await TablesContaining(server, passwordHash));
    }

    [Fact]
    public async Task An_export_holds_exactly_the_messages_the_user_sent_and_received_decrypted()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var direct = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "alice to bob" }));
        await Send(bob, new { conversationId = direct, content = "bob to alice" });
        var group = await carol.CreateGroup(alice, bob);
        await Send(carol, new { conversationId = group, content = "carol to the group" });
        await alice.Client.DeleteMessageAsync((await SendTyped(alice, new { conversationId = group, content = "regretted" })).Message.Id);
        await Send(bob, new { receiverId = carol.Id, content = "bob to carol, not alice's" });

        var response = await alice.Http.GetAsync("/api/users/me/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var export = await response.Read<Export>();

        Assert.Equal(alice.Id, export.UserId);
        Assert.Equal(alice.Username, export.Username);
        Assert.Equal(["alice to bob", "bob to alice", "carol to the group"], export.Messages.Select(m => m.Content).Order());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http().GetAsync("/api/users/me/export")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_master_key_stops_start_up_with_a_clear_error_and_a_rotated_key_reads_everything()
    {
        var server = await EventChatServer.StartIsolated();
        var connection = server.App.Configuration.GetConnectionString("EventChat")!;
        var alice = await server.NewUser("alice");
        var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "kept across rotation" }));
        await server.Stop();

        var wrong = MasterKey.Generate();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Start(connection, wrong));
        Assert.Contains("wrong key for this database", failure.Message);

        // A rotation run with a new key that is no key, or a current key that is not this database's, says so, in one
        // line, and changes nothing.
        var next = MasterKey.Generate();
        var (notAKey, notAKeyError, _) = await RotateMasterKey(connection, configured: EventChatServer.TestMasterKey, next: "not a key");
        Assert.Equal(1, notAKey);
        Assert.Contains($"{MasterKeyRotationCommand.NewKeyConfig} is not base64", notAKeyError);
        var (refused, refusal, _) = await RotateMasterKey(connection, configured: MasterKey.Generate(), next);
        Assert.Equal(1, refused);
        Assert.Contains("wrong key for this database", refusal);
        Assert.Single(refusal.Trim().Split('\n'));
        var unchanged = await Start(connection, EventChatServer.TestMasterKey);
        await unchanged.StopAsync();
        await unchanged.DisposeAsync();

        // Rotation re-wraps the data keys; the old key then stops working and the new one reads every message.
        var (rotated, errors, output) = await RotateMasterKey(connection, configured: EventChatServer.TestMasterKey, next);
        Assert.Equal(0, rotated);
        Assert.Empty(errors);
        Assert.Contains("Re-wrapped 1 data keys", output);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Start(connection, EventChatServer.TestMasterKey));
        var restarted = await Start(connection, next);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(restarted.Urls.First()) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", bob.Token);
            var page = (await http.GetFromJsonAsync<JsonElement>($"/api/chat/conversations/{conversationId}/messages")).As<MessagePage>();
            Assert.Equal("kept across rotation", page.Items[0].Content);
        }
        finally
        {
            await restarted.StopAsync();
            await restarted.DisposeAsync();
        }
    }

    /// <summary><c>privacy rotate-master-key</c> as an operator runs it: the configured key, and the new one from its setting.</summary>
    private static async Task<(int Exit, string Errors, string Output)> RotateMasterKey(string connection, string configured, string next)
    {
        var app = EventChatHost.Build(["--environment", "Testing"], builder =>
        {
            Configure(builder, connection, configured);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [MasterKeyRotationCommand.NewKeyConfig] = next });
        });
        await using (app)
        {
            var (output, errors) = (new StringWriter(), new StringWriter());
            var exit = await MasterKeyRotationCommand.Run(app, output, errors);
            return (exit, errors.ToString(), output.ToString());
        }
    }

    [Fact]
    public void Outside_development_a_missing_master_key_stops_start_up_with_a_clear_message()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => EventChatHost.Build(["--environment", "Production"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = "a-production-signing-key-that-is-long-enough-0123456789",
            })));

        Assert.Contains("EventChat:Privacy:MasterKey is not set", failure.Message);
    }

    [Fact]
    public void In_development_a_master_key_is_generated_once_and_kept_in_the_data_folder()
    {
        var (first, second) = StartUp.DevelopmentFileAfterTwoStarts(MasterKeyConfiguration.DevelopmentKeyFile);

        Assert.Equal(MasterKey.KeyBytes, Convert.FromBase64String(first).Length);
        Assert.Equal(first, second);
    }

    private static async Task<WebApplication> Start(string connection, string masterKey)
    {
        var app = EventChatHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder => Configure(builder, connection, masterKey));
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static void Configure(WebApplicationBuilder builder, string connection, string masterKey) =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:EventChat"] = connection,
            ["Jwt:SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
            [EventChatServer.MasterKeyName] = masterKey,
            ["EventChat:Attachments:Folder"] = Directory.CreateTempSubdirectory("eventchat-test-files-").FullName,
        });

    /// <summary>The live data keys of one author in one conversation, counted in the database.</summary>
    private static async Task<long> KeysOf(EventChatServer server, Guid conversationId, Guid authorId)
    {
        await using var connection = await server.OpenDatabase();
        await using var count = new NpgsqlCommand(
            "select count(*) from mt_doc_datakey where data->>'conversationId' = $1 and data->>'userId' = $2 and data->>'wrappedKey' is not null", connection);
        count.Parameters.AddWithValue(conversationId.ToString());
        count.Parameters.AddWithValue(authorId.ToString());
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of the event store and of every document table (read models, keys) whose stored JSON contains <paramref name="text"/>.</summary>
    private static async Task<long> RowsContaining(EventChatServer server, string text)
    {
        await using var connection = await server.OpenDatabase();
        var tables = new List<string> { "mt_events" };
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'public' and table_name like 'mt_doc_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        long rows = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from {table} where data::text ilike '%' || $1 || '%'", connection);
            count.Parameters.AddWithValue(text);
            rows += (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }

    private const string SearchTable = "public." + MessageSearch.Table;

    // No SDK call or record reads these: the test's own, read strictly (Typed).
    /// <summary>The answer to asking for a conversation's content to be erased.</summary>
    private sealed record ErasureAnswer(Guid ConversationId, bool Erased, IReadOnlyList<Guid> AwaitingConsentFrom);

    /// <summary>A user's export, its messages as the contract's messages.</summary>
    private sealed record Export(Guid UserId, string Username, IReadOnlyList<Message> Messages);

    private static async Task<IReadOnlyList<TrailEvent>> EventHistory(TestUser user, Guid conversationId) =>
        (await user.Trail(conversationId, "?limit=200")).Events;

    /// <summary>Rows of the search table itself (not what the search endpoint answers) that match <paramref name="condition"/> on <c>$1</c>.</summary>
    private static async Task<long> SearchRows(EventChatServer server, string condition, object value)
    {
        await using var connection = await server.OpenDatabase();
        await using var count = new NpgsqlCommand($"select count(*) from {MessageSearch.Table} where {condition}", connection);
        count.Parameters.AddWithValue(value);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> PasswordHashOf(EventChatServer server, Guid userId)
    {
        await using var connection = await server.OpenDatabase();
        await using var read = new NpgsqlCommand("select data->>'passwordHash' from mt_doc_useraccount where id = $1", connection);
        read.Parameters.AddWithValue(userId);
        return (string)(await read.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Every table of the database, in every schema, with a row that holds <paramref name="text"/> in any column: the whole
    /// row as text (text, JSON, tsvector lexemes, arrays, …), and the raw bytes of binary columns.
    /// </summary>
    private static async Task<List<string>> TablesContaining(EventChatServer server, string text)
    {
        await using var connection = await server.OpenDatabase();
        var tables = new List<(string Table, List<string> Binary)>();
        await using (var list = new NpgsqlCommand(
            """
            select t.table_schema || '.' || t.table_name,
                   coalesce(array_agg(c.column_name::text) filter (where c.data_type = 'bytea'), '{}')
            from information_schema.tables t
            left join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name
            where t.table_type = 'BASE TABLE' and t.table_schema not in ('pg_catalog', 'information_schema')
            group by 1 order by 1
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add((reader.GetString(0), [.. reader.GetFieldValue<string[]>(1)]));
        var holding = new List<string>();
        foreach (var (table, binary) in tables)
        {
            var condition = string.Join(" or ", ["t::text ilike '%' || $1 || '%'", .. binary.Select(column => $"position(convert_to($1, 'UTF8') in t.\"{column}\") > 0")]);
            await using var find = new NpgsqlCommand($"select exists (select 1 from {table} t where {condition})", connection);
            find.Parameters.AddWithValue(text);
            if ((bool)(await find.ExecuteScalarAsync())!)
                holding.Add(table);
        }
        return holding;
    }

    [Fact]
    public async Task Erasing_the_empty_conversation_id_is_a_validation_problem()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.DeleteAsync($"/api/chat/conversations/{Guid.Empty}/content");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["conversationId"], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }
}
