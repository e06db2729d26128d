using EventChat.Application.Telemetry;
using Mediator;

namespace EventChat.Application.Pipeline;

/// <summary>
/// Times the messages <see cref="EventChatMetrics"/> has a histogram for, end to end: it is the outermost
/// behavior, so validation, the rate limit and conflict retries are inside the measurement. Others pass through.
/// </summary>
public sealed class MetricsBehavior<TMessage, TResponse>(EventChatMetrics metrics, TimeProvider clock) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (metrics.DurationOf(typeof(TMessage)) is not { } duration)
            return await next(message, cancellationToken);
        var started = clock.GetTimestamp();
        var outcome = "error";
        try
        {
            var response = await next(message, cancellationToken);
            outcome = "ok";
            return response;
        }
        finally
        {
            duration.Record(clock.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
