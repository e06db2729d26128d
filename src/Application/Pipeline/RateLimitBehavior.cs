using EventChat.Application.Ports;
using EventChat.Domain;
using Mediator;

namespace EventChat.Application.Pipeline;

/// <summary>Refuses a rate-limited message once its sender's budget is spent, before any work is done.</summary>
public sealed class RateLimitBehavior<TMessage, TResponse>(IRateLimiter limiter) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage, IRateLimited
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        await limiter.TryAcquire(message.Policy, message.RateLimitedUserId)
            ? await next(message, cancellationToken)
            : throw new DomainException(DomainError.RateLimited, "You are doing that too often. Please slow down.")
            {
                RetryAfter = limiter.Refill(message.Policy),
            };
}
