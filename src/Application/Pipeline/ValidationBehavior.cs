using EventChat.Application.Telemetry;
using FluentValidation;
using Mediator;

namespace EventChat.Application.Pipeline;

/// <summary>
/// Checks every message's shape before its handler runs, reporting all failed fields at once: the message's own
/// validators, and for every message, validators or not, the <see cref="StorableText"/> rule on each of its texts.
/// </summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using (EventChatTracing.Source.StartActivity("validate"))
        {
            var failures = new List<FluentValidation.Results.ValidationFailure>(StorableText.Failures(message));
            foreach (var validator in validators)
                failures.AddRange((await validator.ValidateAsync(message, cancellationToken)).Errors);
            if (failures.Count > 0)
                throw new ValidationException(failures);
        }
        return await next(message, cancellationToken);
    }
}
