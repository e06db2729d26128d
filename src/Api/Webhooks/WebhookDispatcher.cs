using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EventChat.Application.Webhooks;
using Marten;
using Microsoft.Extensions.Options;

namespace EventChat.Api.Webhooks;

/// <summary>
/// Sends webhook deliveries: on every node, taking due deliveries with a lease (<see cref="WebhookDeliveries.Take"/>),
/// so nodes share the work and each conversation's events arrive in order. Each body is signed
/// (<see cref="Signature"/>); a 2xx answer settles the delivery, anything else is retried with exponential backoff
/// (<see cref="WebhookOptions.RetryAt"/>) and parked after <see cref="WebhookOptions.RetryFor"/>. Connections go only to
/// addresses <see cref="WebhookTargets"/> allows, checked as they are opened, and redirects are not followed.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveries deliveries, WebhookPayloads payloads, IDocumentStore store, WebhookOptions options, WebhookTargets targets,
    WebhookSignal signal, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock, ILogger<WebhookDispatcher> log)
    : BackgroundService
{
    public const string DeliveryHeader = "EventChat-Delivery";
    public const string TimestampHeader = "EventChat-Timestamp";
    public const string SignatureHeader = "EventChat-Signature";

    private const int Batch = 16;

    /// <summary>How often a node looks for due deliveries when nothing woke it: retries, and the outbox's work on another node.</summary>
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(1);

    private HttpClient? _http;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = Connect,
        }) { Timeout = options.Timeout };
        _http = http;
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = await Due(stoppingToken);
            if (due.Count == 0)
                await signal.Wait(Look, stoppingToken);
            else
                await Task.WhenAll(due.Select(delivery => Deliver(delivery, stoppingToken)));
        }
    }

    /// <summary>HMAC-SHA256 of <c>{timestamp}.{body}</c> under the webhook's secret, as <c>v1=</c> and lower-case hex.</summary>
    public static string Signature(string secret, long timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private async Task<IReadOnlyList<WebhookDelivery>> Due(CancellationToken ct)
    {
        try
        {
            return await deliveries.Take(Batch, options.Timeout + TimeSpan.FromSeconds(30), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("could not look for webhook deliveries; trying again in a second: {Error}", e.Message);
            return [];
        }
    }

    private async Task Deliver(WebhookDelivery delivery, CancellationToken stopping)
    {
        try
        {
            await using var session = store.QuerySession();
            var hook = await session.LoadAsync<Webhook>(delivery.WebhookId, stopping);
            var body = hook is null ? null : await payloads.Body(delivery, stopping);
            if (hook is null || body is null)
            {
                await deliveries.Done(delivery.Id, null, WebhookDeliveries.Skipped, CancellationToken.None);
                return;
            }
            var (status, error) = await Send(hook, delivery.Id, JsonSerializer.Serialize(body, json.Value.SerializerOptions), stopping);
            if (error is null)
                await deliveries.Done(delivery.Id, status, WebhookDeliveries.Delivered, CancellationToken.None);
            else
                await deliveries.Failed(delivery.Id, status, error, options.RetryAt(delivery.Attempts, delivery.CreatedAt, clock.GetUtcNow()), CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: give the delivery back at once rather than when its lease runs out.
            await deliveries.Failed(delivery.Id, null, "EventChat stopped during the delivery", clock.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogWarning("webhook delivery {DeliveryId} could not be attempted; it is taken again when its lease runs out: {Error}", delivery.Id, e.Message);
        }
    }

    private async Task<(int? Status, string? Error)> Send(Webhook hook, Guid deliveryId, string body, CancellationToken stopping)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(DeliveryHeader, deliveryId.ToString());
        request.Headers.Add(TimestampHeader, timestamp.ToString());
        request.Headers.Add(SignatureHeader, Signature(hook.Secret, timestamp, body));
        try
        {
            using var response = await _http!.SendAsync(request, stopping);
            if (response.IsSuccessStatusCode)
                return ((int)response.StatusCode, null);
            var answer = await response.Content.ReadAsStringAsync(stopping);
            return ((int)response.StatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}: {answer}".TrimEnd(' ', ':'));
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !stopping.IsCancellationRequested))
        {
            return (null, e is TaskCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0.#} s" : e.Message);
        }
    }

    private async ValueTask<Stream> Connect(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        IPAddress[] allowed = [.. addresses.Where(targets.Allows)];
        if (allowed.Length == 0)
            throw new HttpRequestException($"{host} has no address webhooks may reach (private networks are not allowed).");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
