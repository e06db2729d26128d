using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventChat.Api;
using EventChat.Api.Health;
using EventChat.Api.Hubs;
using EventChat.Api.Telemetry;
using EventChat.Application;
using EventChat.Application.Telemetry;
using EventChat.IntegrationTests.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>What an adopter and an operator see beside the API itself: its reference, health and metrics.</summary>
[Collection(SecondServerCollection.Name)]
public sealed partial class Operability
{
    [Fact]
    public async Task The_openapi_document_lists_every_REST_route_the_app_maps()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var mapped = ((IEndpointRouteBuilder)server.App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
                .Select(method => $"{method} {Normalise(endpoint.RoutePattern.RawText!)}"))
            .ToHashSet();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(operation => operation.Name is "get" or "post" or "put" or "patch" or "delete")
                .Select(operation => $"{operation.Name.ToUpperInvariant()} {Normalise(path.Name)}"))
            .ToHashSet();

        Assert.Contains("POST /api/chat/messages", mapped);
        Assert.Empty(mapped.Except(documented));
        Assert.Empty(documented.Except(mapped));
    }

    [Fact]
    public async Task Every_operation_declares_its_success_schema_and_problem_details_errors_and_the_bearer_scheme_where_a_token_is_needed()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var name = $"{operation.Name} {path.Name}";
            var responses = operation.Value.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            // One success, or an upsert's two (201 created, 200 replaced), each with its schema.
            var successes = responses.Where(r => r.Key.StartsWith('2')).ToList();
            Assert.InRange(successes.Count, 1, successes.Count == 2 && successes.All(r => r.Key is "200" or "201") ? 2 : 1);
            foreach (var success in successes.Where(r => r.Key != "204"))
                Assert.True(success.Value.TryGetProperty("content", out _), $"{name} has no success schema");
            var problems = responses.Where(r => r.Key[0] is '4' or '5').ToList();
            Assert.True(problems.Count > 0, $"{name} declares no error");
            Assert.All(problems, problem => Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{name} answers {problem.Key} without problem details"));
            var open = path.Name.StartsWith("/api/auth/", StringComparison.Ordinal);
            Assert.Equal(!open, operation.Value.TryGetProperty("security", out var security));
            // The server API takes its secret, never a user's token.
            if (!open)
                Assert.Equal(path.Name.StartsWith("/api/server/", StringComparison.Ordinal) ? "ApiSecret" : "Bearer",
                    Assert.Single(Assert.Single(security.EnumerateArray().ToList()).EnumerateObject().ToList()).Name);
            if (!open)
                Assert.Contains("401", responses.Keys);
        }
        var send = document.GetProperty("paths").GetProperty("/api/chat/messages").GetProperty("post");
        Assert.True(send.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Contains("429", send.GetProperty("responses").EnumerateObject().Select(r => r.Name));
    }

    [Fact]
    public async Task The_reference_lists_every_hub_method_and_every_event_the_server_pushes()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        var description = (await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("info").GetProperty("description").GetString()!;

        var methods = typeof(ChatHub).GetMethods().Select(m => m.GetCustomAttribute<HubMethodNameAttribute>()?.Name).OfType<string>().ToList();
        var events = typeof(ClientEvents).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains("sendMessage", methods);
        Assert.All(methods.Concat(events), name => Assert.Contains($"`{name}`", description));
    }

    [Fact]
    public async Task The_docs_page_is_an_anonymous_html_page_served_with_its_script_from_the_app()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        var page = await anonymous.GetAsync("/docs");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", html);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, src => Assert.False(Uri.TryCreate(src, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("http"), $"{src} is not served by the app"));
        foreach (var src in scripts)
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(page.RequestMessage!.RequestUri!, src))).StatusCode);
    }

    [Theory]
    [InlineData("/health/live", new[] { "process" })]
    [InlineData("/health/ready", new[] { "postgresql", "projections" })]
    [InlineData("/health", new[] { "postgresql", "projections" })]
    public async Task Health_answers_anonymously_with_the_status_of_each_check(string path, string[] checks)
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        var response = await anonymous.GetAsync(path);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var reported = body.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(checks.Order(), reported.Keys.Order());
        Assert.All(reported.Values, check =>
        {
            Assert.Equal("healthy", check.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(check.GetProperty("description").GetString()));
        });
    }

    [Fact]
    public async Task Readiness_fails_without_naming_the_database_when_PostgreSQL_does_not_answer()
    {
        await using var store = DocumentStore.For("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2");
        var check = new PostgresHealthCheck(store);

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.NotNull(result.Exception);
        Assert.DoesNotContain("127.0.0.1", result.Description);
    }

    [Fact]
    public async Task Readiness_fails_once_an_async_projection_falls_further_behind_than_allowed()
    {
        var server = await EventChatServer.Instance;
        var schema = $"lag_probe_{Guid.NewGuid():N}"[..20];
        var connectionString = server.App.Configuration.GetConnectionString("EventChat")!;
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = schema;
            options.Projections.Add(new TickProjection(), ProjectionLifecycle.Async);
        });
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using (var session = store.LightweightSession())
            {
                session.Events.StartStream(Guid.NewGuid(), new Tick(), new Tick(), new Tick());
                await session.SaveChangesAsync();
            }
            var lag = new ProjectionLag(store);

            var behind = await new ProjectionsHealthCheck(lag, new HealthSettings { MaxProjectionLag = 2 }).CheckHealthAsync(Context(null));
            var within = await new ProjectionsHealthCheck(lag, new HealthSettings { MaxProjectionLag = 3 }).CheckHealthAsync(Context(null));

            Assert.Equal(HealthStatus.Unhealthy, behind.Status);
            Assert.Equal(3L, behind.Data["maxLag"]);
            Assert.Equal(HealthStatus.Healthy, within.Status);
            Assert.Equal(3L, lag.LastMeasured);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await new NpgsqlCommand($"drop schema if exists {schema} cascade", connection).ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Metrics_are_scraped_in_Prometheus_format_and_each_instrument_counts_exactly_what_this_test_caused()
    {
        await using var server = await EventChatServer.StartIsolated();
        var (alice, bob) = (await server.NewUser("alice"), await server.NewUser("bob"));
        var tab = await alice.OpenTab();
        using var anonymous = server.Http();
        await server.AsyncProjectionsCaughtUp();
        // With the daemon paused, the events this test appends are exactly how far the async projections fall behind.
        var daemon = server.App.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        await daemon.PauseAsync();
        var head = await server.Head();
        using var measured = new AppMeasurements(server);

        await Send(alice, new { receiverId = bob.Id, content = "counted" });
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("sendMessage", new { content = "" }));
        var appended = await server.Head() - head;
        // Readiness measures the lag, and the gauge reports the last measurement.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        Assert.Equal(2, appended);
        Assert.Equal(["eventchat.messages.sent conversation_kind=direct,message_type=text 1"], measured.Counters("eventchat.messages.sent"));
        Assert.Equal(
        [
            "eventchat.deliveries event=messageSent,outcome=ok,target=user 1",
            "eventchat.deliveries event=newMessage,outcome=ok,target=user 1",
            "eventchat.deliveries event=receiveMessage,outcome=ok,target=user 1",
        ], measured.Counters("eventchat.deliveries"));
        Assert.Equal(["eventchat.hub.errors code=validation,method=sendMessage 1"], measured.Counters("eventchat.hub.errors"));
        // Timed end to end, validation included: the refused send is timed too, as an error.
        Assert.Equal(["eventchat.send.duration outcome=error 1", "eventchat.send.duration outcome=ok 1"], measured.Counters("eventchat.send.duration"));
        // The refused send never reached the group commit; the other was a transaction of its own.
        Assert.Equal(["eventchat.commit.batch writes=send 1"], measured.Counters("eventchat.commit.batch"));
        Assert.Equal(1, measured.Gauge("eventchat.users.connected"));
        Assert.Equal(appended, measured.Gauge("eventchat.projection.lag"));
        // The scrape is collected by meter name across the process (see SecondServerCollection), so its numbers are
        // not this test's alone; that it exports every instrument is. The exporter caches a scrape for a moment.
        await Eventually(async () => Scraped(await anonymous.GetStringAsync("/metrics")), "the scrape shows every instrument");

        await daemon.ResumeAsync();
        await server.AsyncProjectionsCaughtUp();
        await tab.DisposeAsync();
        await Eventually(() => measured.Gauge("eventchat.users.connected") == 0, "alice's only tab closed");
        Assert.Equal(0, measured.Gauge("eventchat.projection.lag"));
    }

    [Fact]
    public async Task Runtime_and_process_metrics_are_scraped_beside_EventChats_own()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();
        // A series appears once it has a value: this (the server's own process) throws one exception to be counted.
        try
        {
            throw new InvalidOperationException("counted by dotnet.exceptions");
        }
        catch (InvalidOperationException)
        {
        }

        string[] expected =
        [
            "dotnet_gc_collections_total", "dotnet_gc_heap_total_allocated_bytes_total", "dotnet_thread_pool_thread_count",
            "dotnet_thread_pool_queue_length", "dotnet_exceptions_total", "dotnet_jit_compiled_methods_total",
            "dotnet_process_cpu_time_seconds_total", "dotnet_process_memory_working_set_bytes", "process_thread_count", "process_handle_count",
        ];
        // The exporter caches a scrape for a moment.
        await Eventually(async () => Scraped(await anonymous.GetStringAsync("/metrics"), expected), "the scrape shows every runtime and process series");
    }

    private static Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Tab.Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// What one app's EventChat meter records from now on. Listeners see every meter of that name in the process, so this
    /// one listens only to the meter the app's own factory made: other apps' and other tests' traffic is not counted.
    /// </summary>
    private sealed class AppMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, double> _sums = new();
        private readonly ConcurrentDictionary<string, double> _gauges = new();

        public AppMeasurements(EventChatServer server)
        {
            var factory = server.App.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EventChatMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, 1, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, 1, tags));
            _listener.Start();
        }

        /// <summary>Each label set's total (a histogram's: how many it recorded), as "name tags total", in order.</summary>
        public IEnumerable<string> Counters(string name) =>
            _sums.Where(s => s.Key.StartsWith(name + " ", StringComparison.Ordinal)).Select(s => $"{s.Key} {s.Value}").Order(StringComparer.Ordinal);

        /// <summary>An observable instrument's value now.</summary>
        public double Gauge(string name)
        {
            _listener.RecordObservableInstruments();
            return _gauges[name];
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (instrument.IsObservable)
            {
                _gauges[instrument.Name] = value;
                return;
            }
            var labels = new List<string>();
            foreach (var tag in tags)
                labels.Add($"{tag.Key}={tag.Value}");
            _sums.AddOrUpdate($"{instrument.Name} {string.Join(",", labels.Order(StringComparer.Ordinal))}", value, (_, sum) => sum + value);
        }

        public void Dispose() => _listener.Dispose();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("admin")]
    public void Metrics_are_anonymous_unless_configured_to_need_a_role(string? role)
    {
        var app = EventChatHost.Build(["--environment", "Testing"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = "Host=127.0.0.1;Port=1;Username=nobody",
                ["Jwt:SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
                [EventChatServer.MasterKeyName] = EventChatServer.TestMasterKey,
                [Metrics.RequireRoleKey] = role,
            }));

        var metrics = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Single(endpoint => endpoint.RoutePattern.RawText == Metrics.Path);

        if (role is null)
            Assert.NotNull(metrics.Metadata.GetMetadata<IAllowAnonymous>());
        else
            Assert.Contains(metrics.Metadata.GetOrderedMetadata<AuthorizationPolicy>(), policy =>
                policy.Requirements.OfType<RolesAuthorizationRequirement>().Any(r => r.AllowedRoles.Contains(role)));
    }

    private static bool Scraped(string metrics) => Scraped(metrics,
        [
            "eventchat_messages_sent_total", "eventchat_deliveries_total", "eventchat_hub_errors_total", "eventchat_send_duration_milliseconds_count", "eventchat_commit_batch_count",
            "eventchat_users_connected", "eventchat_projection_lag", "http_server_request_duration_seconds", "signalr_server_active_connections",
        ]);

    private static bool Scraped(string metrics, string[] names) =>
        names.All(name => metrics.Split('\n').Any(line => line.StartsWith(name, StringComparison.Ordinal)));

    // Route constraints are not part of an OpenAPI path ("{id:guid}" is "{id}"); a group's "/" leaves a trailing slash on both.
    private static string Normalise(string pattern) => RouteConstraint().Replace(pattern, "}").TrimEnd('/');

    private static HealthCheckContext Context(IHealthCheck? check) => new()
    {
        Registration = new HealthCheckRegistration("probe", check ?? new NoCheck(), HealthStatus.Unhealthy, []),
    };

    [GeneratedRegex(":[^}]*}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();

    private sealed class NoCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy());
    }

    public sealed record Tick;

    public sealed class TickCount
    {
        public Guid Id { get; set; }
    }

    /// <summary>An asynchronous projection that nothing runs, so it stays behind every event appended.</summary>
    public sealed partial class TickProjection : EventProjection
    {
        public TickCount Create(Tick tick, JasperFx.Events.IEvent e) => new() { Id = e.Id };
    }
}
