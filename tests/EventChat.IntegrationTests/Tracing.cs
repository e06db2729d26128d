using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Net;
using System.Net.Http.Json;
using EventChat.Api;
using EventChat.Api.Hubs;
using EventChat.Application;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using EventChat.Application.Telemetry;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace EventChat.IntegrationTests;

public sealed class Tracing
{
    [Fact]
    public async Task A_hub_send_is_one_trace_from_the_hub_through_the_command_and_its_commit_to_the_pushes()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();
        using var spans = new RecordedSpans();
        var content = $"not for traces {Guid.NewGuid()}";

        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content });

        var hub = await spans.HubCall("sendMessage", alice);
        var trace = spans.All.Where(s => s.TraceId == hub.TraceId).ToList();
        Assert.Equal(default, hub.ParentSpanId);
        var command = Assert.Single(trace, s => s.ParentSpanId == hub.SpanId);
        Assert.Equal("SendMessage", command.DisplayName);
        Assert.Single(trace, s => s.ParentSpanId == command.SpanId && s.DisplayName == "validate");
        Assert.Equal(["messageSent", "newMessage", "receiveMessage"],
            trace.Where(s => s.ParentSpanId == command.SpanId && s.DisplayName == "push").Select(s => (string)s.GetTagItem("eventchat.push.event")!).Order());
        var commit = Assert.Single(spans.CommitsOf(command));
        Assert.Contains(spans.All, s => s.Source.Name == "Npgsql" && s.ParentSpanId == commit.SpanId);

        // Ids, counts and names only: neither the text sent nor the caller's token.
        var recorded = trace.Append(commit).SelectMany(s => s.TagObjects.Select(tag => $"{tag.Value}").Append(s.DisplayName).Append(s.StatusDescription ?? ""));
        Assert.DoesNotContain(recorded, value => value.Contains(content) || value.Contains(alice.Token));
    }

    [Fact]
    public async Task A_commit_that_fails_marks_its_span_and_the_command_failed_with_the_exception_type_only()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();
        using var spans = new RecordedSpans();
        // PostgreSQL itself refuses this one conversation's messages, so its commit fails as a real one would.
        var conversation = DirectConversation.IdFor(alice.Id, bob.Id);
        var constraint = $"tracing_refuses_{conversation:N}";
        var table = new MartenTables(server.App.Services.GetRequiredService<IDocumentStore>()).Documents<MessageView>();
        await Sql(server, $"alter table {table} add constraint {constraint} check (conversation_id <> '{conversation}') not valid");
        try
        {
            await Assert.ThrowsAsync<HubException>(() => tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "refused by the database" }));
        }
        finally
        {
            await Sql(server, $"alter table {table} drop constraint {constraint}");
        }

        var hub = await spans.HubCall("sendMessage", alice);
        var command = Assert.Single(spans.All, s => s.ParentSpanId == hub.SpanId && s.DisplayName == "SendMessage");
        // The batch that held it may have been split; the commit of this send alone failed either way.
        var commits = spans.CommitsOf(command);
        Assert.NotEmpty(commits);
        Assert.All(commits.Append(command).Append(hub), span =>
        {
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal(nameof(PostgresException), span.StatusDescription);
            Assert.Equal(typeof(PostgresException).FullName, span.GetTagItem("error.type"));
        });
        // The type, never the message, which names the constraint and could quote a value.
        Assert.DoesNotContain(commits.Append(command).Append(hub).SelectMany(s => s.TagObjects.Select(tag => $"{tag.Value}").Append(s.StatusDescription ?? "")),
            value => value.Contains(constraint));
    }

    [Fact]
    public async Task A_refused_send_is_an_answer_not_an_error_its_spans_carry_the_refusal_and_no_error_status()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var tab = await alice.OpenTab();
        using var spans = new RecordedSpans();

        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("sendMessage", new { conversationId = Guid.CreateVersion7(), content = "to nowhere" }));

        var hub = await spans.HubCall("sendMessage", alice);
        var command = Assert.Single(spans.All, s => s.ParentSpanId == hub.SpanId && s.DisplayName == "SendMessage");
        Assert.All([hub, command], span =>
        {
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.Equal(nameof(DomainError.NotFound), span.GetTagItem(EventChatTracing.RefusalTag));
        });
    }

    private static async Task Sql(EventChatServer server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_spans_of_a_send_are_exported_to_it_without_content_or_tokens()
    {
        await using var traced = await TracedServer.Start();
        await using var alice = await traced.Server.NewUser("alice");
        await using var bob = await traced.Server.NewUser("bob");
        var tab = await alice.OpenTab();
        var content = $"not for traces {Guid.NewGuid()}";

        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content });

        await traced.Exported("hub sendMessage", "SendMessage", "validate", "commit", "push", alice.Id.ToString());
        Assert.DoesNotContain(content, traced.Exported());
        Assert.DoesNotContain(alice.Token, traced.Exported());
    }

    [Fact]
    public async Task With_tracing_on_a_REST_send_is_traced_under_its_request_while_the_hub_transport_and_query_strings_are_not()
    {
        await using var traced = await TracedServer.Start();
        using var spans = new RecordedSpans();
        await using var alice = await traced.Server.NewUser("alice");
        await using var bob = await traced.Server.NewUser("bob");
        using var anonymous = new HttpClient { BaseAddress = traced.Server.BaseAddress };
        var port = traced.Server.BaseAddress.Port;
        bool Request(Activity span, string path) =>
            span.Source.Name == AspNetCoreSource && Equals(span.GetTagItem("server.port"), port) && Equals(span.GetTagItem("url.path"), path);

        var sent = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = "over REST" });
        // A browser's hub connection carries its token in the query, from negotiate on.
        var negotiated = await anonymous.PostAsync($"{ChatHub.Path}/negotiate?negotiateVersion=1&access_token={alice.Token}", null);
        // So may any request; only the hub reads it, but a span would keep it.
        var listed = await alice.Http.GetAsync($"/api/chat/conversations?limit=5&access_token={alice.Token}");
        var tab = await alice.OpenTab();
        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content = "over the hub" });

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK], new[] { sent.StatusCode, negotiated.StatusCode, listed.StatusCode });
        var post = await spans.Eventually(all => all.SingleOrDefault(s => Request(s, "/api/chat/messages")));
        Assert.Equal("SendMessage", Assert.Single(spans.All, s => s.ParentSpanId == post.SpanId && s.Source.Name == EventChatTracing.SourceName).DisplayName);
        var list = await spans.Eventually(all => all.SingleOrDefault(s => Request(s, "/api/chat/conversations")));
        Assert.DoesNotContain(list.TagObjects, tag => $"{tag.Value}".Contains("access_token") || $"{tag.Value}".Contains(alice.Token));
        // The hub keeps its shape: each call a trace of its own, linked to no request span, as none is exported.
        var hub = await spans.HubCall("sendMessage", alice);
        Assert.Equal(default, hub.ParentSpanId);
        Assert.Empty(hub.Links);
        Assert.Equal("SendMessage", Assert.Single(spans.All, s => s.ParentSpanId == hub.SpanId).DisplayName);

        // Exported: the REST requests, and neither the hub's transport nor the token.
        await traced.Exported("/api/chat/messages", "/api/chat/conversations", "hub sendMessage");
        Assert.DoesNotContain(ChatHub.Path, traced.Exported());
        Assert.DoesNotContain(alice.Token, traced.Exported());
    }

    [Fact]
    public void Without_an_OTLP_endpoint_nothing_exports_spans()
    {
        var app = EventChatHost.Build(["--environment", "Testing"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
                [EventChatServer.MasterKeyName] = EventChatServer.TestMasterKey,
            }));

        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    /// <summary>An app of the test's own that exports its spans over OTLP (HTTP) to a collector of the test's own.</summary>
    private sealed class TracedServer(WebApplication collector, EventChatServer server, ConcurrentQueue<byte[]> exports) : IAsyncDisposable
    {
        public EventChatServer Server => server;

        public static async Task<TracedServer> Start()
        {
            var exports = new ConcurrentQueue<byte[]>();
            var collector = await LocalHttpServer.Start(app => app.MapPost("/v1/traces", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                exports.Enqueue(body.ToArray());
                return Results.Ok();
            }));
            var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
            {
                [Api.Telemetry.Tracing.OtlpEndpointKey] = collector.Urls.Single(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            });
            return new(collector, server, exports);
        }

        // The export is protobuf, where names and tag values are plain UTF-8: enough to find them without a parser.
        public string Exported() => string.Concat(exports.Select(Encoding.UTF8.GetString));

        /// <summary>Waits until every one of <paramref name="texts"/> has been exported.</summary>
        public async Task Exported(params string[] texts)
        {
            var deadline = DateTime.UtcNow + Tab.Timeout;
            while (!texts.All(Exported().Contains))
            {
                Assert.True(DateTime.UtcNow < deadline, $"never exported: {string.Join(", ", texts.Where(text => !Exported().Contains(text)))}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            await collector.DisposeAsync();
        }
    }

    /// <summary>Every span that EventChat, Npgsql and ASP.NET Core end while this lives, from any app in this process.</summary>
    private sealed class RecordedSpans : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public RecordedSpans()
        {
            _listener = new()
            {
                ShouldListenTo = source => source.Name is EventChatTracing.SourceName or "Npgsql" or AspNetCoreSource,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All => [.. _stopped];

        /// <summary>The span of <paramref name="caller"/>'s call of <paramref name="method"/>, once it has ended.</summary>
        public Task<Activity> HubCall(string method, TestUser caller) =>
            Eventually(all => all.SingleOrDefault(s => s.DisplayName == $"hub {method}" && Equals(s.GetTagItem("eventchat.user.id"), caller.Id.ToString())));

        /// <summary>
        /// The commits of <paramref name="command"/>: a commit serves a batch, so it continues the first command's trace and
        /// links the others'.
        /// </summary>
        public List<Activity> CommitsOf(Activity command) =>
            [.. All.Where(s => s.DisplayName == "commit" && s.Source.Name == EventChatTracing.SourceName
                && (s.ParentSpanId == command.SpanId || s.Links.Any(link => link.Context.SpanId == command.SpanId)))];

        public async Task<Activity> Eventually(Func<IReadOnlyList<Activity>, Activity?> find)
        {
            var deadline = DateTime.UtcNow + Tab.Timeout;
            for (; ; await Task.Delay(50))
            {
                if (find(All) is { } found)
                    return found;
                Assert.True(DateTime.UtcNow < deadline, "the span never ended");
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
