namespace EventChat.Domain;

/// <summary>
/// An aggregate's <c>Apply</c> met an event it does not handle. Thrown rather than skipped: a skipped event would leave
/// the aggregate silently wrong (a sequence off by one, a like that never counted).
/// </summary>
public sealed class UnknownEventException(Type aggregate, object e)
    : InvalidOperationException($"{aggregate.Name}.Apply does not handle {e.GetType().Name}: a stream's first event goes to Create, every other one needs a case in Apply.");
