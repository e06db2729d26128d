using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>One webhook request as the receiver got it, signature checked with the secret the test gives.</summary>
public sealed record ReceivedHook(string DeliveryId, long Timestamp, string Signature, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>What a receiver does, in its ten lines: HMAC-SHA256 of "{timestamp}.{body}" under the secret, compared in fixed time.</summary>
    public bool SignedWith(string secret)
    {
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{Timestamp}.{Body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(Signature));
    }
}

/// <summary>
/// An app's webhook receiver, as a real server on a local port. It answers 200, or 503 while <see cref="Down"/>, or holds
/// a request until released while <see cref="Holding"/>; it keeps what it answered 200 to, in arrival order.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedHook> _accepted = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Url { get; }

    /// <summary>Answer 503 to everything.</summary>
    public volatile bool Down;

    /// <summary>Hold the next request until <see cref="Release"/>.</summary>
    public volatile bool Holding;

    /// <summary>How many requests were refused while down.</summary>
    public int Refused => Volatile.Read(ref _refused);
    private int _refused;

    private TestReceiver(WebApplication app)
    {
        _app = app;
        Url = new Uri(new Uri(app.Urls.First()), "/hook");
    }

    public static async Task<TestReceiver> Start()
    {
        TestReceiver? receiver = null;
        var app = await LocalHttpServer.Start(app => app.MapPost("/hook", async (HttpRequest request) => await receiver!.Receive(request)));
        receiver = new TestReceiver(app);
        return receiver;
    }

    /// <summary>Completes when a request is being held.</summary>
    public Task Held => _held.Task.WaitAsync(Tab.Timeout);

    public void Release() => _release.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> accepted requests match, and returns them in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedHook>> WaitFor(Func<ReceivedHook, bool> match, int count, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var matching = _accepted.Where(match).ToList();
            if (matching.Count >= count)
                return matching;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
                throw new TimeoutException($"the receiver got {matching.Count} of {count} matching deliveries");
        }
    }

    public IReadOnlyList<ReceivedHook> Accepted(Func<ReceivedHook, bool> match) => [.. _accepted.Where(match)];

    private async Task<IResult> Receive(HttpRequest request)
    {
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        if (Down)
        {
            Interlocked.Increment(ref _refused);
            return Results.StatusCode(503);
        }
        if (Holding)
        {
            Holding = false;
            _held.TrySetResult();
            await _release.Task;
            return Results.StatusCode(503);
        }
        _accepted.Enqueue(new(request.Headers["EventChat-Delivery"].ToString(), long.Parse(request.Headers["EventChat-Timestamp"].ToString()),
            request.Headers["EventChat-Signature"].ToString(), body));
        _arrived.Release();
        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.DisposeAsync();
    }
}
