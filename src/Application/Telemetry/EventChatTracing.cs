using System.Diagnostics;
using EventChat.Domain;
using FluentValidation;

namespace EventChat.Application.Telemetry;

/// <summary>
/// EventChat's spans, for following one send from the hub through the mediator and the commit to its pushes. Names
/// and tags are documented in docs/operations.md. Tags carry ids, counts and names only, never content or tokens.
/// With nothing listening, <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs no
/// more than that check, so every span here is started with a constant name and tagged only once it exists.
/// </summary>
public static class EventChatTracing
{
    public const string SourceName = "EventChat";

    /// <summary>The tag of a span whose work the caller was refused: the <see cref="DomainError"/>'s name.</summary>
    public const string RefusalTag = "eventchat.refusal";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Records that the span's work ended in <paramref name="exception"/>. A refusal (a broken rule, an invalid request:
    /// what clients get as a 4xx or a hub <c>error</c> event) is an answer, not a failure of the server, so the status
    /// stays unset and the refusal is tagged; anything else is <see cref="Failed"/>.
    /// </summary>
    public static void Ended(Activity activity, Exception exception)
    {
        if (exception is DomainException refused)
            activity.SetTag(RefusalTag, refused.Error.ToString());
        else if (exception is ValidationException)
            activity.SetTag(RefusalTag, nameof(DomainError.Invalid));
        else
            Failed(activity, exception);
    }

    /// <summary>Marks the span failed with the exception's type only: its message may quote what the caller sent, or SQL.</summary>
    public static void Failed(Activity activity, Exception exception) =>
        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name).SetTag("error.type", exception.GetType().FullName);
}
