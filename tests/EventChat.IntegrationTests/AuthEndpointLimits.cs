using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EventChat.Api.Auth;
using EventChat.Application.Ports;
using EventChat.Application.Users;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// Register and login, the calls anyone may make and each of which hashes a password: limited per client address and in
/// how many run at once, so a flood of them leaves everyone else and the health endpoints unaffected.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class AuthEndpointLimits
{
    [Fact]
    public async Task An_auth_flood_from_one_address_gets_429s_while_another_users_send_and_health_answer_within_a_second()
    {
        await using var server = await EventChatServer.StartIsolated(DefaultLimits());
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var victim = await server.NewUser("victim");
        var aliceTab = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        using var flooder = server.Http();
        using var monitor = server.Http();
        // Their normal time is a warm one: the first few sends, the first login and health check compile their code.
        for (var i = 0; i < 3; i++)
            await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = $"before the flood {i}" });
        Assert.Equal(HttpStatusCode.OK, (await LogIn(flooder, alice.Username, TestUser.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await monitor.GetAsync("/health/live")).StatusCode);
        // The flood's connections are opened first, so what arrives at once is the requests themselves.
        await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => flooder.GetAsync("/health/live")));

        var flood = Task.WhenAll(Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            flooder.PostAsJsonAsync("/api/auth/register", new { username = $"flood{i}", password = TestUser.Password }),
            flooder.PostAsJsonAsync("/api/auth/login", new { username = victim.Username, password = "a wrong guess" }),
        }));
        Assert.False(flood.IsCompleted);
        var timings = new List<(string Call, TimeSpan Took)>();
        var sent = new List<string>();
        do
        {
            var content = $"during the flood {sent.Count}";
            var watch = Stopwatch.StartNew();
            await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content });
            timings.Add(("send", watch.Elapsed));
            sent.Add(content);
            watch.Restart();
            Assert.Equal(HttpStatusCode.OK, (await monitor.GetAsync("/health/live")).StatusCode);
            timings.Add(("health", watch.Elapsed));
        }
        while (!flood.IsCompleted);
        var answers = await flood;

        Assert.True(timings.All(t => t.Took < TimeSpan.FromSeconds(1)),
            "A send or health check took a second or more during the flood: " + string.Join(", ", timings.Select(t => $"{t.Call} {t.Took.TotalMilliseconds:F0} ms")));
        foreach (var content in sent)
            await bobTab.Next("newMessage", m => m.GetProperty("message").GetProperty("content").GetString() == content);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, (HttpStatusCode[])[HttpStatusCode.Created, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]));
        // The address's burst is all that gets through (the registrations and the login above spent part of it).
        Assert.InRange(answers.Count(a => a.StatusCode != HttpStatusCode.TooManyRequests), 0, new AuthLimits().AddressBurst);
        foreach (var refused in answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests))
            await AssertRateLimited(refused);
    }

    [Fact]
    public async Task Register_and_login_share_a_budget_per_address_and_past_it_get_429_with_retry_after_while_other_addresses_and_endpoints_go_on()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:AuthLimits:AddressBurst"] = "3",
            ["EventChat:AuthLimits:AddressRequestsPerMinute"] = "1",
        });
        await using var alice = await server.NewUser("alice");
        using var http = server.Http();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogIn(http, $"nobody{i}", TestUser.Password)).StatusCode);

        var login = await LogIn(http, alice.Username, TestUser.Password);
        var register = await http.PostAsJsonAsync("/api/auth/register", new { username = "carol", password = TestUser.Password });

        var retryAfter = await AssertRateLimited(login);
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        await AssertRateLimited(register);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync("/api/users?username=carol")).StatusCode);
        // Everyone else: another address logs in, and this one still reaches every other endpoint.
        using var elsewhere = FromAddress(server, IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, (await LogIn(elsewhere, alice.Username, TestUser.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync("/api/chat/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Past_the_calls_a_node_serves_at_once_and_its_queue_a_call_gets_429_and_registers_nobody()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:AuthLimits:ConcurrentRequests"] = "1",
            ["EventChat:AuthLimits:QueuedRequests"] = "0",
        });
        await using var alice = await server.NewUser("alice");
        using var http = server.Http();
        var usernames = Enumerable.Range(0, 20).Select(i => $"crowd{i}").ToArray();

        // Each call hashes for a good part of a second's tenth, so twenty sent at once cannot all find the one turn free.
        var answers = await Task.WhenAll(usernames.Select(username => http.PostAsJsonAsync("/api/auth/register", new { username, password = TestUser.Password })));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i].StatusCode == HttpStatusCode.Created)
                continue;
            await AssertRateLimited(answers[i]);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/users?username={usernames[i]}")).StatusCode);
        }
    }

    [Fact]
    public async Task Ten_correct_logins_of_one_account_at_once_all_succeed()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?>
        {
            ["EventChat:Login:MaxFailuresPerUser"] = "3",
            // All ten really run at once, each past the lockout's check before any has finished.
            ["EventChat:AuthLimits:ConcurrentRequests"] = "10",
        });
        await using var erin = await server.NewUser("erin");
        using var http = server.Http();

        var logins = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => LogIn(http, erin.Username, TestUser.Password)));

        Assert.All(logins, login => Assert.Equal(HttpStatusCode.OK, login.StatusCode));
    }

    [Fact]
    public async Task A_username_past_its_maximum_by_guesses_in_flight_waits_until_it_is_back_below_it()
    {
        var clock = new ManualClock();
        var throttle = new InMemoryLoginThrottle(new LoginLimits { MaxFailuresPerUser = 3, Window = TimeSpan.FromMinutes(10) }, clock);
        var attempt = new LoginAttempt("target", ClientAddress: null);
        // Four failures, a minute apart: the fourth was in flight when the third reached the maximum.
        for (var i = 0; i < 4; i++)
        {
            await throttle.Failed(attempt, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var wait = await throttle.Check(attempt, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(7) - TimeSpan.FromSeconds(1));
        var justBefore = await throttle.Check(attempt, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));

        // Back below the maximum when the second failure leaves the window, not the first.
        Assert.Equal(TimeSpan.FromMinutes(7), wait);
        Assert.NotNull(justBefore);
        Assert.Null(await throttle.Check(attempt, CancellationToken.None));
    }

    [Fact]
    public async Task A_login_with_a_username_or_password_longer_than_any_account_has_is_invalid()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();

        var longUsername = await LogIn(http, new string('a', UserAccount.MaxUsernameLength + 1), TestUser.Password);
        var longPassword = await LogIn(http, "alice", new string('p', RegisterUserValidator.MaxPasswordLength + 1));

        Assert.Equal(HttpStatusCode.BadRequest, longUsername.StatusCode);
        var usernameProblem = await longUsername.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", usernameProblem.GetProperty("code").GetString());
        Assert.True(usernameProblem.GetProperty("errors").TryGetProperty("username", out _));
        Assert.Equal(HttpStatusCode.BadRequest, longPassword.StatusCode);
        Assert.True((await longPassword.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("password", out _));
    }

    /// <summary>The contract's answer to a call over a limit: 429, Retry-After, and a problem with code rate_limited.</summary>
    private static async Task<TimeSpan> AssertRateLimited(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rate_limited", problem.GetProperty("code").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        var retryAfter = response.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("No Retry-After on the 429.");
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After is {retryAfter}.");
        return retryAfter;
    }

    /// <summary>Every limit at the value a production server starts with, over the test servers' raised ones.</summary>
    private static Dictionary<string, string?> DefaultLimits()
    {
        var (auth, login) = (new AuthLimits(), new LoginLimits());
        return new()
        {
            [$"{AuthLimits.Section}:{nameof(auth.AddressBurst)}"] = Text(auth.AddressBurst),
            [$"{AuthLimits.Section}:{nameof(auth.AddressRequestsPerMinute)}"] = Text(auth.AddressRequestsPerMinute),
            [$"{AuthLimits.Section}:{nameof(auth.ConcurrentRequests)}"] = Text(auth.ConcurrentRequests),
            [$"{AuthLimits.Section}:{nameof(auth.QueuedRequests)}"] = Text(auth.QueuedRequests),
            [$"{LoginLimits.Section}:{nameof(login.MaxFailuresPerUser)}"] = Text(login.MaxFailuresPerUser),
            [$"{LoginLimits.Section}:{nameof(login.MaxFailuresPerAddress)}"] = Text(login.MaxFailuresPerAddress),
            [$"{LoginLimits.Section}:{nameof(login.Window)}"] = login.Window.ToString("c", CultureInfo.InvariantCulture),
            // And production's log levels, not the test servers' Debug.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Marten"] = "Warning",
            ["Logging:LogLevel:Npgsql"] = "Warning",
            // Not an auth limit: alice sends as often as the flood lets her.
            ["EventChat:Limits:MessageBurst"] = "10000",
            ["EventChat:Limits:MessagesPerSecond"] = "10000",
        };
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> LogIn(HttpClient http, string username, string password) =>
        http.PostAsJsonAsync("/api/auth/login", new { username, password });

    /// <summary>A client on another loopback address (any 127.x.y.z is this machine), as a second person would be.</summary>
    private static HttpClient FromAddress(EventChatServer server, IPAddress address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = server.BaseAddress };
}
