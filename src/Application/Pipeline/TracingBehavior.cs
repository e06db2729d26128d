using EventChat.Application.Telemetry;
using Mediator;

namespace EventChat.Application.Pipeline;

/// <summary>A span around every mediator message, named by its type (<c>SendMessage</c>), with the behaviors inside it.</summary>
public sealed class TracingBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string Name = typeof(TMessage).Name;

    // Every command passes here, so without a listener (the default: no OTLP endpoint) it is one check and no
    // async frame of its own.
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        EventChatTracing.Source.HasListeners() ? Traced(message, next, cancellationToken) : next(message, cancellationToken);

    private static async ValueTask<TResponse> Traced(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using var activity = EventChatTracing.Source.StartActivity(Name);
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception e) when (activity is not null)
        {
            EventChatTracing.Ended(activity, e);
            throw;
        }
    }
}
