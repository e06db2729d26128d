using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Domain.Conversations;

namespace EventChat.Application.Telemetry;

/// <summary>
/// Every EventChat instrument, defined once on the <c>EventChat</c> meter (BCL metrics; the host decides how
/// to export them). Names, units and tags are documented in docs/operations.md; change both together.
/// </summary>
public sealed class EventChatMetrics
{
    public const string MeterName = "EventChat";

    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _hubErrors;
    private readonly Histogram<int> _commitBatch;
    private readonly FrozenDictionary<Type, Histogram<double>> _durations;

    public EventChatMetrics(IMeterFactory meters, IPresence presence, ProjectionLag projectionLag)
    {
        var meter = meters.Create(MeterName);
        _messagesSent = meter.CreateCounter<long>("eventchat.messages.sent", "{message}",
            "Messages stored in conversations; a retried send (same clientMessageId) is not counted again.");
        _deliveries = meter.CreateCounter<long>("eventchat.deliveries", "{push}",
            "Pushes handed to SignalR: one per user (all their connections), per group or per room.");
        var sendDuration = meter.CreateHistogram("eventchat.send.duration", "ms",
            "Time to handle a SendMessage command end to end: validation, rate limit, append and commit (retries included), pushes.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });
        _hubErrors = meter.CreateCounter<long>("eventchat.hub.errors", "{error}",
            "Hub invocations that failed and sent the caller the error event.");
        _commitBatch = meter.CreateHistogram<int>("eventchat.commit.batch", "{command}",
            "Commands committed together in one transaction by a group commit (sends, live-session chat).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        meter.CreateObservableUpDownCounter("eventchat.users.connected", () => (long)presence.ConnectedUsers, "{user}",
            "Users with at least one open hub connection to this node; a user with two tabs counts once.");
        meter.CreateObservableGauge("eventchat.projection.lag", () => projectionLag.LastMeasured, "{event}",
            "Events the slowest asynchronous projection is behind the event store; 0 when none is behind.");

        // Commands timed by MetricsBehavior, each into its own histogram.
        _durations = new Dictionary<Type, Histogram<double>> { [typeof(SendMessage)] = sendDuration }.ToFrozenDictionary();
    }

    /// <summary>A message was stored (not a retried send answered from the first one).</summary>
    public void MessageSent(string messageType, ConversationKind kind) =>
        _messagesSent.Add(1, new("message_type", messageType), new("conversation_kind", kind == ConversationKind.Direct ? "direct" : "group"));

    /// <summary>A push to a <paramref name="target"/> (<c>user</c>, <c>group</c> or <c>room</c>) was handed over, or failed.</summary>
    public void Delivered(string target, string eventName, bool succeeded) =>
        _deliveries.Add(1, new("target", target), new("event", eventName), new("outcome", succeeded ? "ok" : "failed"));

    /// <summary>A hub invocation failed with the contract's error <paramref name="code"/>.</summary>
    public void HubError(string code, string method) =>
        _hubErrors.Add(1, new("code", code), new("method", method));

    /// <summary>A group commit of <paramref name="writes"/> (<c>send</c> or <c>stream_chat</c>) took <paramref name="commands"/> commands into one transaction.</summary>
    public void GroupCommitted(string writes, int commands) =>
        _commitBatch.Record(commands, new KeyValuePair<string, object?>("writes", writes));

    /// <summary>The histogram that times <paramref name="messageType"/>, or null when it is not timed.</summary>
    public Histogram<double>? DurationOf(Type messageType) => _durations.GetValueOrDefault(messageType);
}
