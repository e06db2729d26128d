using System.IO.Compression;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections.Client;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests.Sdk;

/// <summary>
/// The .NET SDK (clients/dotnet, docs/sdk.md) against the real server over real SignalR connections: what an app
/// built on it sees. Waits are for the events themselves, each with a timeout; nothing sleeps to synchronise.
/// </summary>
public sealed class DotnetClient
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_sdk_clients_send_and_receive_and_each_hands_every_message_over_once()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        // Bob's client carries its HTTP through a handler of the app's own, as an app behind a proxy would.
        using var handler = new SocketsHttpHandler();
        await using var aliceChat = Client(server, alice);
        await using var bobChat = Client(server, _ => ValueTask.FromResult(bob.Token), handler: handler);
        var aliceSaw = Recorder.OfMessages(aliceChat);
        var bobSaw = Recorder.OfMessages(bobChat);
        var receipts = new Recorder<ReadReceipt>();
        aliceChat.Read += receipt => receipts.Add(receipt);
        var changes = new Recorder<Message>();
        bobChat.MessageChanged += changed => changes.Add(changed);
        await aliceChat.ConnectAsync();
        await bobChat.ConnectAsync();

        var sent = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "Hi Bob" });
        var delivered = await bobSaw.Until(seen => seen.Any(s => s.Message.Id == sent.Message.Id));
        var reply = await bobChat.SendAsync(new SendMessageRequest { ConversationId = sent.Message.ConversationId, Content = "Hi Alice" });
        var aliceHas = await aliceSaw.Until(seen => seen.Any(s => s.Message.Id == reply.Message.Id));
        var bobHas = await bobSaw.Until(seen => seen.Any(s => s.Message.Id == reply.Message.Id));
        var read = await bobChat.MarkReadAsync(sent.Message.ConversationId, sent.Message.Id);
        var receipt = (await receipts.Until(seen => seen.Count > 0))[0];
        var edited = await aliceChat.EditMessageAsync(sent.Message.Id, "Hi Bob!");
        var change = (await changes.Until(seen => seen.Count > 0))[0];
        var history = await bobChat.MessagesAsync(sent.Message.ConversationId);

        var (toBob, conversation) = delivered.Single(s => s.Message.Id == sent.Message.Id);
        Assert.Equal(("Hi Bob", alice.Id, MessageType.Text), (toBob.Content, toBob.SenderId, toBob.MessageType));
        Assert.Equal((ConversationKind.Direct, 1), (conversation!.Kind, conversation.UnreadCount));
        Assert.Equal(DeliveryStatus.Sent, sent.Status);
        Assert.True(Guid.TryParse(sent.Message.ClientMessageId, out _), "the SDK gives every send a clientMessageId");
        Assert.Equal(sent.Message.Sequence, reply.PreviousSequence);
        // Each side's own message came by push and by answer, the other's by push and perhaps by the catch-up: once each.
        Assert.Equal([sent.Message.Id, reply.Message.Id], aliceHas.Select(s => s.Message.Id));
        Assert.Equal([sent.Message.Id, reply.Message.Id], bobHas.Select(s => s.Message.Id));
        Assert.Equal((sent.Message.Id, bob.Id), (receipt.MessageId, receipt.ReadBy));
        Assert.Equal(0, read.UnreadCount);
        Assert.Equal((sent.Message.Id, "Hi Bob!"), (change.Id, change.Content));
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(["Hi Bob!", "Hi Alice"], history.Items.Select(m => m.Content));
    }

    [Fact]
    public async Task A_connection_cut_in_the_middle_of_a_200_message_burst_across_three_conversations_loses_and_repeats_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var bob = await server.NewUser("bob");
        // Twenty messages each, a sender's whole burst budget: ten senders make the 200 without meeting a rate limit.
        var senders = new List<TestUser>();
        for (var i = 0; i < 10; i++)
            senders.Add(await server.NewUser("sender"));
        try
        {
            TestUser[][] groups = [[.. senders[0..4]], [.. senders[4..7]], [.. senders[7..10]]];
            var conversations = new List<Guid>();
            foreach (var group in groups)
                conversations.Add(await group[0].CreateGroup([bob, .. group[1..]]));

            // Two cuts. The first (at the 50th message the app sees) keeps the network down while a part of the burst is
            // sent, so only the catch-up after the reconnect can bring that part: no later push reveals it. The second
            // (after the 15th of the last 50 sends) reconnects at once, while the rest is sent, so pushes race the
            // catch-up that fills the gap.
            var sockets = new List<ClientWebSocket>();
            var networkBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var chat = Client(server, _ => ValueTask.FromResult(bob.Token), connection =>
                connection.WebSocketFactory = async (context, cancellationToken) =>
                {
                    bool down;
                    lock (sockets)
                        down = sockets.Count == 1;
                    if (down)
                        await networkBack.Task.WaitAsync(cancellationToken);
                    var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("Authorization", "Bearer " + await context.Options.AccessTokenProvider!());
                    await socket.ConnectAsync(WebSocketAddress(context.Uri), cancellationToken);
                    lock (sockets)
                        sockets.Add(socket);
                    return socket;
                });
            var cuts = new Recorder<ClientWebSocket>();
            void Cut()
            {
                // A real cut: the socket is torn down without a close handshake, as a dropped network does it.
                ClientWebSocket current;
                lock (sockets)
                    current = sockets[^1];
                current.Abort();
                cuts.Add(current);
            }
            var handed = new Recorder<Message>();
            chat.MessageReceived += (message, _) =>
            {
                if (handed.Add(message) == 50)
                    Cut();
            };
            var states = new Recorder<ConnectionState>();
            chat.StateChanged += state => states.Add(state);
            var memberships = new Recorder<MembershipChange>();
            chat.Membership += change => memberships.Add(change);
            await chat.ConnectAsync();

            var burst = Burst(groups, conversations, each: 10, "before");
            await cuts.Until(seen => seen.Count == 1);
            await burst;
            await Burst(groups, conversations, each: 5, "while cut off");
            networkBack.SetResult();
            // Well before the once-a-minute catch-up could bring them.
            await handed.Until(seen => seen.Count >= 150, TimeSpan.FromSeconds(30));
            var sentAfter = 0;
            await Burst(groups, conversations, each: 5, "after", sent: () =>
            {
                if (Interlocked.Increment(ref sentAfter) == 15)
                    Cut();
            });
            await handed.Until(seen => seen.Select(m => m.Id).Distinct().Count() >= 200);
            // One more in each, sent after everything: by the time these arrive, a repeat of the 200 would have too. Bob
            // sends them, since each sender has spent its whole burst and a loaded machine may not have refilled it yet.
            var last = new List<Guid>();
            for (var g = 0; g < groups.Length; g++)
                last.Add(MessageIdOf(await Send(bob, new { conversationId = conversations[g], content = "last" })));
            var seen = await handed.Until(seen => last.All(id => seen.Any(m => m.Id == id)));

            Assert.Equal(203, seen.Count);
            Assert.Equal(203, seen.Select(m => m.Id).Distinct().Count());
            foreach (var conversationId in conversations)
            {
                var stored = await bob.Messages(conversationId);
                Assert.Equal(stored.Select(m => m.GetProperty("id").GetGuid()), seen.Where(m => m.ConversationId == conversationId).Select(m => m.Id));
            }
            Assert.Equal([80 + 1, 60 + 1, 60 + 1], conversations.Select(c => seen.Count(m => m.ConversationId == c)));
            Assert.True(sockets.Count >= 3, $"the client reconnected after each cut ({sockets.Count} sockets opened)");
            Assert.True(states.All.Count(state => state == ConnectionState.Reconnecting) >= 2, "a reconnect after each cut");
            Assert.Equal(ConnectionState.Connected, chat.State);
            // The groups began before Bob's client connected: their starts came with its first catch-up, once each.
            Assert.Equal(conversations, memberships.All.Where(m => m.Type == MembershipChangeType.ConversationStarted).Select(m => m.ConversationId));
        }
        finally
        {
            foreach (var sender in senders)
                await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_that_starts_again_from_a_file_cursor_store_hands_over_only_what_it_missed()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var cursor = Path.Combine(Directory.CreateTempSubdirectory("eventchat-sdk-cursor-").FullName, "bob.cursor");
        await using var aliceChat = Client(server, alice);
        await aliceChat.ConnectAsync();
        var before = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "before Bob's app started" });

        IReadOnlyList<(Message Message, Conversation? Conversation)> firstRun;
        MessageDelivery pushed;
        await using (var bobChat = Client(server, bob, new FileCursorStore(cursor)))
        {
            var saw = Recorder.OfMessages(bobChat);
            await bobChat.ConnectAsync();
            await bobChat.CatchUpAsync();
            // After the catch-up: this one comes by push, which never moves the cursor.
            pushed = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "while Bob's app runs" });
            firstRun = await saw.Until(seen => seen.Any(s => s.Message.Id == pushed.Message.Id));
        }
        var missed = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "while Bob's app is closed" });
        await using var again = Client(server, bob, new FileCursorStore(cursor));
        var sawAgain = Recorder.OfMessages(again);
        await again.ConnectAsync();
        var back = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "now that Bob is back" });
        var secondRun = await sawAgain.Until(seen => seen.Any(s => s.Message.Id == back.Message.Id));

        Assert.Equal([before.Message.Id, pushed.Message.Id], firstRun.Select(s => s.Message.Id));
        // The first came by the catch-up (no conversation with it), the second by push.
        Assert.Equal([false, true], firstRun.Select(s => s.Conversation is not null));
        Assert.Equal([missed.Message.Id, back.Message.Id], secondRun.Select(s => s.Message.Id));
    }

    [Fact]
    public async Task A_token_that_expires_mid_session_is_replaced_through_the_provider()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var issued = 0;
        await using var bobChat = Client(server, _ =>
        {
            // The first token lives long enough to connect on a loaded machine, every later one an hour.
            var lifetime = Interlocked.Increment(ref issued) == 1 ? TimeSpan.FromSeconds(8) : TimeSpan.FromHours(1);
            return ValueTask.FromResult(TestTokens.Issue(server, bob, lifetime));
        });
        await using var aliceChat = Client(server, alice);
        var bobSaw = Recorder.OfMessages(bobChat);
        var closings = new Recorder<EventChatError>();
        bobChat.ConnectionError += error => closings.Add(error);
        var states = new Recorder<ConnectionState>();
        bobChat.StateChanged += state => states.Add(state);
        await bobChat.ConnectAsync();
        await aliceChat.ConnectAsync();

        var before = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "before" });
        await bobSaw.Until(seen => seen.Any(s => s.Message.Id == before.Message.Id));
        var expired = (await closings.Until(seen => seen.Count > 0))[0];
        await states.Until(seen => seen.SkipWhile(state => state != ConnectionState.Reconnecting).Contains(ConnectionState.Connected));
        var after = await aliceChat.SendAsync(new SendMessageRequest { ReceiverId = bob.Id, Content = "after" });
        var seen = await bobSaw.Until(seen => seen.Any(s => s.Message.Id == after.Message.Id));
        var conversations = await bobChat.ConversationsAsync();
        var answer = await bobChat.SendAsync(new SendMessageRequest { ReceiverId = alice.Id, Content = "still here" });

        Assert.Equal(("token_expired", "connect"), (expired.Code, expired.Method));
        Assert.True(issued >= 2, $"the provider was asked again ({issued} tokens)");
        Assert.Equal(["before", "after"], seen.Select(s => s.Message.Content));
        Assert.Single(conversations.Items);
        Assert.Equal(before.Message.ConversationId, answer.Message.ConversationId);
    }

    [Fact]
    public async Task A_refusal_reaches_the_app_as_an_EventChatError_with_the_servers_code()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var theirs = await alice.CreateGroup(carol);
        await using var bobChat = Client(server, bob);
        await bobChat.ConnectAsync();

        var overHub = await Assert.ThrowsAsync<EventChatError>(() => bobChat.SendAsync(new SendMessageRequest { ConversationId = theirs, Content = "let me in" }));
        var invalid = await Assert.ThrowsAsync<EventChatError>(() => bobChat.SendAsync(new SendMessageRequest { ReceiverId = alice.Id, Content = " " }));
        var overRest = await Assert.ThrowsAsync<EventChatError>(() => bobChat.MessagesAsync(theirs));
        var outOfRange = await Assert.ThrowsAsync<EventChatError>(() => bobChat.ConversationsAsync(limit: 0));
        var fine = await bobChat.SendAsync(new SendMessageRequest { ReceiverId = alice.Id, Content = "still connected" });

        Assert.Equal(("not_found", "sendMessage", (int?)null, "Conversation was not found."), (overHub.Code, overHub.Method, overHub.Status, overHub.Message));
        Assert.Equal(("validation", "sendMessage"), (invalid.Code, invalid.Method));
        Assert.Equal(("not_found", 404, (string?)null, "Conversation was not found."), (overRest.Code, overRest.Status, overRest.Method, overRest.Message));
        Assert.Equal(("validation", 400), (outOfRange.Code, outOfRange.Status));
        Assert.Equal("still connected", fine.Message.Content);
    }

    [Fact]
    public async Task Posts_are_published_liked_commented_and_paged_through_the_sdk()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");

        var post = await alice.Client.CreatePostAsync("Hello, feed");
        var liked = await bob.Client.LikePostAsync(post.Id);
        var likedAgain = await bob.Client.LikePostAsync(post.Id);
        var comments = new List<CommentResult>();
        for (var i = 1; i <= 3; i++)
            comments.Add(await bob.Client.CommentOnPostAsync(post.Id, $"c{i}"));
        var read = await alice.Client.PostAsync(post.Id);
        var unliked = await bob.Client.UnlikePostAsync(post.Id);
        var page = await alice.Client.CommentsAsync(post.Id, after: 1, limit: 1);
        var newest = await bob.Client.PostsAsync(limit: 1);
        var unknown = await Assert.ThrowsAsync<EventChatError>(() => bob.Client.PostAsync(Guid.CreateVersion7()));

        Assert.Equal((alice.Id, "Hello, feed", 0, 0L), (post.AuthorId, post.Content, post.LikeCount, post.CommentCount));
        Assert.Equal([new LikeResult(post.Id, 1), new LikeResult(post.Id, 1), new LikeResult(post.Id, 0)], new[] { liked, likedAgain, unliked });
        Assert.Equal([1L, 2L, 3L], comments.Select(c => c.CommentCount));
        Assert.Equal((1, 3L), (read.LikeCount, read.CommentCount));
        Assert.Equal([bob.Id], read.LikedBy);
        Assert.Equal(comments.Select(c => (c.Comment.Id, bob.Id, c.Comment.Content)), read.RecentComments.Select(c => (c.Id, c.AuthorId, c.Content)));
        var second = Assert.Single(page.Items);
        Assert.Equal((comments[1].Comment.Id, "c2", 2L), (second.Id, second.Content, second.Sequence));
        Assert.True(page.HasMore);
        // The feed is every test's; another post may be newer, but the page is one post with a cursor to go on from.
        Assert.Single(newest.Items);
        Assert.NotNull(newest.Cursor);
        Assert.Equal(("not_found", 404, "Post was not found."), (unknown.Code, unknown.Status, unknown.Message));
    }

    [Fact]
    public async Task Live_sessions_are_started_moderated_listed_and_ended_through_the_sdk()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var fan = await server.NewUser("fan");
        var fanTab = await fan.OpenTab();

        var started = await host.Client.StartLiveSessionAsync("Launch");
        await fanTab.Invoke("join-stream", new { sessionId = started.Id });
        var chat = await fanTab.Invoke("stream-chat", new { sessionId = started.Id, content = "first!" });
        var withChat = await fan.Client.LiveSessionAsync(started.Id);
        await host.Client.TakeDownLiveSessionMessageAsync(started.Id, chat.GetProperty("message").GetProperty("id").GetGuid());
        await host.Client.BanFromLiveSessionAsync(started.Id, fan.Id);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => fanTab.Invoke("stream-chat", new { sessionId = started.Id, content = "banned?" }));
        var notHost = await Assert.ThrowsAsync<EventChatError>(() => fan.Client.EndLiveSessionAsync(started.Id));
        var ended = await host.Client.EndLiveSessionAsync(started.Id);
        var endedPage = await fan.Client.LiveSessionsAsync(LiveSessionState.Ended, limit: 5);
        var livePage = await fan.Client.LiveSessionsAsync(limit: 5);

        Assert.Equal((host.Id, "Launch", LiveSessionState.Live, 0, 0), (started.HostId, started.Title, started.State, started.ViewerCount, started.MessageCount));
        Assert.Null(started.EndedAt);
        Assert.Equal((started.Id, 1, 1), (withChat.Id, withChat.ViewerCount, withChat.MessageCount));
        Assert.Equal(("forbidden", 403), (notHost.Code, notHost.Status));
        Assert.Equal((started.Id, LiveSessionState.Ended, 0, 0), (ended.Id, ended.State, ended.ViewerCount, ended.MessageCount));
        Assert.NotNull(ended.EndedAt);
        // The lists are every test's: each holds only sessions in the state asked for, and this one is in the ended list.
        Assert.All(endedPage.Items, session => Assert.Equal(LiveSessionState.Ended, session.State));
        Assert.All(livePage.Items, session => Assert.Equal(LiveSessionState.Live, session.State));
        Assert.DoesNotContain(started.Id, livePage.Items.Select(session => session.Id));
        Assert.Contains(started.Id, (await fan.Client.LiveSessionsAsync(LiveSessionState.Ended, limit: 200)).Items.Select(session => session.Id));
    }

    [Fact]
    public async Task The_sdks_records_and_enums_are_the_servers_schemas_of_the_same_name()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();
        var schemas = (await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("components").GetProperty("schemas");
        var named = typeof(EventChatClient).Assembly.GetExportedTypes().Where(type => schemas.TryGetProperty(type.Name, out _)).ToList();

        foreach (var type in named)
        {
            var schema = schemas.GetProperty(type.Name);
            if (type.IsEnum)
                Assert.Equal(EnumOf(schema), Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName));
            else
                Assert.Equal(
                    schema.GetProperty("properties").EnumerateObject().Select(field => $"{type.Name}.{field.Name}").Order(),
                    type.GetProperties().Select(property => $"{type.Name}.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}").Order());
        }
        Assert.Equal(EnumOf(schemas.GetProperty("Message").GetProperty("properties").GetProperty("messageType")),
            Enum.GetNames<MessageType>().Select(JsonNamingPolicy.CamelCase.ConvertName));
        Assert.Superset(
            new HashSet<string>(["Message", "MessageAttachment", "ReplyPreview", "Conversation", "MessageDelivery", "ReadReceipt", "ReadResult",
                "TypingChanged", "PresenceChanged", "MessagePage", "ConversationPage", "UserSummary", "SyncPage", "SyncItem", "SyncReceipt",
                "SyncMembership", "SendMessageRequest", "Post", "Comment", "PostPage", "CommentPage", "LikeResult", "CommentResult",
                "LiveSession", "LiveSessionPage"]),
            named.Select(type => type.Name).ToHashSet());
    }

    [Fact]
    public async Task The_packed_package_alone_lets_a_new_app_send_a_message()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var scratch = Directory.CreateTempSubdirectory("eventchat-sdk-pack-");
        try
        {
            var feed = Path.Combine(scratch.FullName, "feed");
            var app = Directory.CreateDirectory(Path.Combine(scratch.FullName, "app")).FullName;
            var project = Path.Combine(PostgresServer.RepositoryRoot(), "clients", "dotnet", "EventChat.Client");
            var pack = await Dotnet(scratch.FullName, new(), "pack", project, "-c", "Release", "-o", feed, "--disable-build-servers", "-nologo");
            Assert.True(pack.ExitCode == 0, pack.Output);
            var package = Path.Combine(feed, "EventChat.Client.0.1.0.nupkg");
            WriteApp(app, feed, Path.Combine(scratch.FullName, "packages"));
            var content = $"from the packed SDK {Guid.NewGuid():N}";

            var run = await Dotnet(app, new() { ["EVENTCHAT_TOKEN"] = alice.Token },
                "run", "--disable-build-servers", "--", server.BaseAddress.ToString(), bob.Id.ToString(), content);

            Assert.True(run.ExitCode == 0, run.Output);
            using (var zip = ZipFile.OpenRead(package))
            {
                Assert.Contains(zip.Entries, entry => entry.FullName == "README.md");
                Assert.Contains(zip.Entries, entry => entry.FullName == "lib/net10.0/EventChat.Client.dll");
                using var nuspec = new StreamReader(zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                Assert.Contains("<license type=\"expression\">MIT</license>", await nuspec.ReadToEndAsync());
            }
            var conversation = Assert.Single(await bob.Conversations());
            var stored = await bob.Messages(conversation.GetProperty("id").GetGuid());
            Assert.Equal((content, alice.Id), (stored[^1].GetProperty("content").GetString(), stored[^1].GetProperty("senderId").GetGuid()));
            Assert.Contains(stored[^1].GetProperty("id").GetGuid().ToString(), run.Output);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static EventChatClient Client(EventChatServer server, TestUser user) => Client(server, _ => ValueTask.FromResult(user.Token));

    private static EventChatClient Client(EventChatServer server, TestUser user, ISyncCursorStore store) =>
        Client(server, _ => ValueTask.FromResult(user.Token), store: store);

    private static EventChatClient Client(EventChatServer server, Func<CancellationToken, ValueTask<string>> tokens,
        Action<HttpConnectionOptions>? configure = null, HttpMessageHandler? handler = null, ISyncCursorStore? store = null) =>
        new(new EventChatClientOptions
        {
            BaseAddress = server.BaseAddress,
            AccessTokenProvider = tokens,
            // The test server counts 4 s of silence as a dead connection (EventChatServer); ping well within it.
            KeepAliveInterval = TimeSpan.FromSeconds(1),
            ConfigureConnection = configure,
            HttpMessageHandler = handler,
            CursorStore = store ?? new InMemoryCursorStore(),
        });

    /// <summary>Every sender sends <paramref name="each"/> messages to its group, one after another; the senders all at once.</summary>
    private static Task Burst(TestUser[][] groups, List<Guid> conversations, int each, string phase, Action? sent = null) =>
        Task.WhenAll(groups.SelectMany((group, g) => group.Select(async sender =>
        {
            for (var k = 0; k < each; k++)
            {
                await Send(sender, new { conversationId = conversations[g], content = $"{phase} {k}" });
                sent?.Invoke();
            }
        })));

    // An enum schema's values, whether given directly or as the one non-null member of an anyOf/oneOf.
    private static IEnumerable<string> EnumOf(JsonElement schema) =>
        schema.TryGetProperty("enum", out var values) ? values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
        : schema.EnumerateObject().Where(p => p.Name is "anyOf" or "oneOf" or "allOf").SelectMany(p => p.Value.EnumerateArray()).SelectMany(EnumOf);

    private static Guid MessageIdOf(JsonElement delivery) => delivery.GetProperty("message").GetProperty("id").GetGuid();

    private static Uri WebSocketAddress(Uri address) =>
        address.Scheme is "http" or "https" ? new UriBuilder(address) { Scheme = address.Scheme == "https" ? "wss" : "ws" }.Uri : address;

    /// <summary>A console app of its own, outside the repository's build rules, that installs the package from the feed alone.</summary>
    private static void WriteApp(string folder, string feed, string packages)
    {
        // The machine's package cache serves the package's dependencies; EventChat.Client itself comes from the feed,
        // into a cache of this test's own, so a package cached by an earlier run is never the one tested.
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(machineCache) ? $"""<fallbackPackageFolders><add key="machine" value="{machineCache}" /></fallbackPackageFolders>""" : "";
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources>
                <clear />
                <add key="feed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              {fallback}
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), """
            <Project>
              <PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="EventChat.Client" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), """
            using EventChat.Client;

            var (server, receiverId, content) = (new Uri(args[0]), Guid.Parse(args[1]), args[2]);
            var token = Environment.GetEnvironmentVariable("EVENTCHAT_TOKEN") ?? throw new InvalidOperationException("Set EVENTCHAT_TOKEN.");

            await using var chat = new EventChatClient(new EventChatClientOptions
            {
                BaseAddress = server,
                AccessTokenProvider = _ => ValueTask.FromResult(token),
            });
            await chat.ConnectAsync();
            var sent = await chat.SendAsync(new SendMessageRequest { ReceiverId = receiverId, Content = content });
            Console.WriteLine($"sent {sent.Message.Id} at sequence {sent.Message.Sequence}");
            """);
    }

    private static async Task<(int ExitCode, string Output)> Dotnet(string folder, Dictionary<string, string> environment, params string[] arguments)
    {
        var (exitCode, output, error) = await Command.Run("dotnet", arguments, folder, TimeSpan.FromMinutes(4), environment);
        return (exitCode, output + error);
    }

    /// <summary>What an SDK event delivered, in order, for tests to wait on (never polled, never slept on).</summary>
    private sealed class Recorder<T>
    {
        private readonly List<T> _seen = [];
        private TaskCompletionSource _more = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Records one; answers how many there are now.</summary>
        public int Add(T value)
        {
            TaskCompletionSource more;
            int count;
            lock (_seen)
            {
                _seen.Add(value);
                count = _seen.Count;
                (more, _more) = (_more, new(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            more.SetResult();
            return count;
        }

        public IReadOnlyList<T> All
        {
            get
            {
                lock (_seen)
                    return [.. _seen];
            }
        }

        /// <summary>Everything recorded, once <paramref name="done"/> holds of it.</summary>
        public async Task<IReadOnlyList<T>> Until(Func<IReadOnlyList<T>, bool> done, TimeSpan? within = null)
        {
            var patience = within ?? Patience;
            using var timeout = new CancellationTokenSource(patience);
            while (true)
            {
                Task more;
                lock (_seen)
                {
                    if (done(_seen))
                        return [.. _seen];
                    more = _more.Task;
                }
                try
                {
                    await more.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Not seen within {patience.TotalSeconds} s ({All.Count} recorded).");
                }
            }
        }
    }

    private static class Recorder
    {
        public static Recorder<(Message Message, Conversation? Conversation)> OfMessages(EventChatClient client)
        {
            var recorder = new Recorder<(Message, Conversation?)>();
            client.MessageReceived += (message, conversation) => recorder.Add((message, conversation));
            return recorder;
        }
    }
}
