using System.Diagnostics;

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

    public static readonly ActivitySource Source = new(SourceName);
}
