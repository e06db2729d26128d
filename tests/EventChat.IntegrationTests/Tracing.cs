using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using EventChat.Api;
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

        var hub = await spans.Eventually(all => all.SingleOrDefault(s => s.DisplayName == "hub sendMessage" && Equals(s.GetTagItem("eventchat.user.id"), alice.Id.ToString())));
        var trace = spans.All.Where(s => s.TraceId == hub.TraceId).ToList();
        Assert.Equal(default, hub.ParentSpanId);
        var command = Assert.Single(trace, s => s.ParentSpanId == hub.SpanId);
        Assert.Equal("SendMessage", command.DisplayName);
        Assert.Single(trace, s => s.ParentSpanId == command.SpanId && s.DisplayName == "validate");
        Assert.Equal(["messageSent", "newMessage", "receiveMessage"],
            trace.Where(s => s.ParentSpanId == command.SpanId && s.DisplayName == "push").Select(s => (string)s.GetTagItem("eventchat.push.event")!).Order());
        // A commit serves a batch: it continues the first send's trace and links the others', ours among them if not first.
        var commit = Assert.Single(spans.All, s => s.DisplayName == "commit" && s.Source.Name == EventChatTracing.SourceName
            && (s.ParentSpanId == command.SpanId || s.Links.Any(link => link.Context.SpanId == command.SpanId)));
        Assert.Contains(spans.All, s => s.Source.Name == "Npgsql" && s.ParentSpanId == commit.SpanId);

        // Ids, counts and names only: neither the text sent nor the caller's token.
        var recorded = trace.Append(commit).SelectMany(s => s.TagObjects.Select(tag => $"{tag.Value}").Append(s.DisplayName).Append(s.StatusDescription ?? ""));
        Assert.DoesNotContain(recorded, value => value.Contains(content) || value.Contains(alice.Token));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_spans_of_a_send_are_exported_to_it_without_content_or_tokens()
    {
        var exports = new ConcurrentQueue<byte[]>();
        await using var collector = await LocalHttpServer.Start(app => app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            exports.Enqueue(body.ToArray());
            return Results.Ok();
        }));
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            [Api.Telemetry.Tracing.OtlpEndpointKey] = collector.Urls.Single(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();
        var content = $"not for traces {Guid.NewGuid()}";

        await tab.Invoke("sendMessage", new { receiverId = bob.Id, content });

        // The export is protobuf, where names and tag values are plain UTF-8: enough to find them without a parser.
        string Exported() => string.Concat(exports.Select(Encoding.UTF8.GetString));
        var deadline = DateTime.UtcNow + Tab.Timeout;
        while (!new[] { "hub sendMessage", "SendMessage", "validate", "commit", "push", alice.Id.ToString() }.All(Exported().Contains))
        {
            Assert.True(DateTime.UtcNow < deadline, "the send's spans never reached the collector");
            await Task.Delay(100);
        }
        Assert.DoesNotContain(content, Exported());
        Assert.DoesNotContain(alice.Token, Exported());
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

    /// <summary>Every span that EventChat and Npgsql end while this lives, from any app in this process.</summary>
    private sealed class RecordedSpans : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public RecordedSpans()
        {
            _listener = new()
            {
                ShouldListenTo = source => source.Name is EventChatTracing.SourceName or "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> All => [.. _stopped];

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
