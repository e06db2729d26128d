using System.Globalization;
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
            var success = Assert.Single(responses, r => r.Key.StartsWith('2'));
            if (success.Key != "204")
                Assert.True(success.Value.TryGetProperty("content", out _), $"{name} has no success schema");
            var problems = responses.Where(r => r.Key[0] is '4' or '5').ToList();
            Assert.True(problems.Count > 0, $"{name} declares no error");
            Assert.All(problems, problem => Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{name} answers {problem.Key} without problem details"));
            var open = path.Name.StartsWith("/api/auth/", StringComparison.Ordinal);
            Assert.Equal(!open, operation.Value.TryGetProperty("security", out _));
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
    public async Task Metrics_are_scraped_in_Prometheus_format_with_every_EventChat_instrument()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();
        await Send(alice, new { receiverId = bob.Id, content = "counted" });
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("sendMessage", new { content = "" }));
        using var anonymous = server.Http();

        // The exporter caches a scrape briefly, so the send shows up within a moment, not necessarily at once.
        var text = "";
        var deadline = DateTime.UtcNow + Tab.Timeout;
        while (!ShowsTheSend(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the metrics never showed the send:\n{text}");
            var response = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
        }

        Assert.True(Sum(text, "eventchat_deliveries_total") >= 3, "the sender's messageSent and the receiver's newMessage and receiveMessage");
        Assert.True(Sum(text, "eventchat_send_duration_milliseconds_count") >= 1);
        Assert.True(Sum(text, "eventchat_users_connected") >= 1, "alice's tab is open");
        // Async projections (analytics) may trail the newest events for a moment; the gauge must be there and sane.
        Assert.Contains("eventchat_projection_lag", text);
        Assert.True(Sum(text, "eventchat_projection_lag") >= 0);
        Assert.Contains("http_server_request_duration_seconds", text);
        Assert.Contains("signalr_server_active_connections", text);
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

    private static bool ShowsTheSend(string metrics) =>
        Lines(metrics, "eventchat_messages_sent_total").Any(line => line.Contains("message_type=\"text\"") && !line.EndsWith(" 0"))
        && Lines(metrics, "eventchat_hub_errors_total").Any(line => line.Contains("code=\"validation\"") && line.Contains("method=\"sendMessage\""));

    // Route constraints are not part of an OpenAPI path ("{id:guid}" is "{id}"); a group's "/" leaves a trailing slash on both.
    private static string Normalise(string pattern) => RouteConstraint().Replace(pattern, "}").TrimEnd('/');

    private static HealthCheckContext Context(IHealthCheck? check) => new()
    {
        Registration = new HealthCheckRegistration("probe", check ?? new NoCheck(), HealthStatus.Unhealthy, []),
    };

    /// <summary>The samples of one metric, one line per label set.</summary>
    private static IEnumerable<string> Lines(string metrics, string name) =>
        metrics.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>The sum of a metric's samples over all its label sets; -1 when it is not there.</summary>
    private static double Sum(string metrics, string name)
    {
        var samples = Lines(metrics, name)
            .Select(line => line.Contains('{') ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..])
            .Select(value => double.Parse(value.Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        return samples.Count == 0 ? -1 : samples.Sum();
    }

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
